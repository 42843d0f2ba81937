#pragma once
// Runs the built `moewb` binary (MOEWB_CLI, set by tests/CMakeLists.txt) for end-to-end tests of
// the command line: exit code, stdout, stderr.

#include "core/SixteenPairs.h"

#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

namespace moewb::test {

struct CliRun {
    bool finished = false;  // false: it did not end within the timeout (and was killed)
    int exitCode = -1;
    QString out, err;
    // The error: the last line of stderr (earlier lines may report what was loaded).
    QString errorLine() const { return err.trimmed().split('\n').last(); }
    // No LibTorch backtrace anywhere on stderr.
    bool noBacktrace() const {
        return !err.contains("frame #") && !err.contains("Exception raised from");
    }
    // A run-time error (exit 1) in one line, the last on stderr (progress may come before it):
    // "moewb <command>: ..." naming what is wrong, no backtrace.
    bool isRunError(const QString& part) const {
        return finished && exitCode == 1 && errorLine().startsWith("moewb ") &&
               errorLine().contains(part) && noBacktrace();
    }
    // A usage error (exit 2) that comes alone: one line, naming what is wrong.
    bool isUsageError(const QString& part) const {
        return finished && exitCode == 2 && !err.trimmed().contains('\n') &&
               errorLine().contains(part) && noBacktrace();
    }
};

inline QProcessEnvironment cliEnvironment() {
    auto environment = QProcessEnvironment::systemEnvironment();
    environment.insert("OMP_WAIT_POLICY", "PASSIVE");
    return environment;
}

// Runs `moewb args…` with `input` on stdin (then closed).
inline CliRun runCli(const QStringList& args, const QByteArray& input = {},
                     int timeoutMs = 300000) {
    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(QStringLiteral(MOEWB_CLI), args);
    CliRun run;
    if (!process.waitForStarted(30000)) {
        run.err = QStringLiteral("could not start " MOEWB_CLI);
        return run;
    }
    process.write(input);
    process.closeWriteChannel();
    run.finished = process.waitForFinished(timeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished();
    }
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

// Runs the command lines side by side, at most `parallel` at a time (each `moewb` spends most
// of a short run starting LibTorch), and returns their results in the order given. Stdin is
// empty; a crash counts as not finished.
inline QList<CliRun> runClis(const QList<QStringList>& commands, int parallel = 4,
                             int timeoutMs = 300000) {
    QList<CliRun> runs(commands.size());
    std::vector<std::unique_ptr<QProcess>> processes(std::size_t(commands.size()));
    QElapsedTimer clock;
    clock.start();
    int next = 0, running = 0;
    auto finish = [&](int i) {
        auto& process = *processes[std::size_t(i)];
        runs[i].exitCode = process.exitCode();
        runs[i].out = QString::fromUtf8(process.readAllStandardOutput());
        runs[i].err = QString::fromUtf8(process.readAllStandardError());
        processes[std::size_t(i)].reset();
        --running;
    };
    while (next < commands.size() || running > 0) {
        while (running < parallel && next < commands.size()) {
            auto process = std::make_unique<QProcess>();
            process->setProcessEnvironment(cliEnvironment());
            process->start(QStringLiteral(MOEWB_CLI), commands[next]);
            process->closeWriteChannel();
            processes[std::size_t(next++)] = std::move(process);
            ++running;
        }
        // Polling each in turn also drains its pipes, so none blocks on a full one.
        for (int i = 0; i < next; ++i) {
            auto* process = processes[std::size_t(i)].get();
            if (!process) {
                continue;
            }
            if (process->state() == QProcess::NotRunning || process->waitForFinished(10)) {
                runs[i].finished = process->exitStatus() == QProcess::NormalExit;
                finish(i);
            } else if (clock.elapsed() > timeoutMs) {
                process->kill();
                process->waitForFinished();
                finish(i);
            }
        }
    }
    return runs;
}

// A command line that must fail: with a usage error (exit 2, isUsageError) or a run-time error
// (exit 1, isRunError) whose one line contains `message`.
struct BadRun {
    QStringList args;
    QString message;
    int exitCode = 2;
};

// Runs the bad command lines side by side; empty when each failed as it must, else one line
// per one that did not (its arguments and stderr).
inline QString checkBadRuns(const QList<BadRun>& cases) {
    QList<QStringList> commands;
    for (const auto& item : cases) {
        commands << item.args;
    }
    const auto runs = runClis(commands);
    QString problems;
    for (int i = 0; i < cases.size(); ++i) {
        const auto& run = runs[i];
        const bool ok = cases[i].exitCode == 2
                            ? run.isUsageError(cases[i].message) && run.out.isEmpty()
                            : run.isRunError(cases[i].message);
        if (!ok) {
            problems += "\n" + cases[i].args.join(' ') + " (exit " + QString::number(run.exitCode) +
                        ", wanted " + QString::number(cases[i].exitCode) + " and '" +
                        cases[i].message + "'): " + run.err.trimmed();
        }
    }
    return problems;
}

// Writes `bytes` to `path`; false when the file cannot be written.
inline bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

inline QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// German / English sentence pairs written as the Moses files <stem>.de and <stem>.en.
using Pairs = std::vector<std::pair<QString, QString>>;
inline bool writeMoses(const QString& stem, const Pairs& pairs) {
    QByteArray de, en;
    for (const auto& [source, target] : pairs) {
        de += source.toUtf8() + '\n';
        en += target.toUtf8() + '\n';
    }
    return writeFile(stem + ".de", de) && writeFile(stem + ".en", en);
}

// The 16 pairs of tests/core/SixteenPairs.h: text a tiny model trains on in a second.
inline Pairs sixteenTextPairs() {
    Pairs pairs;
    for (const auto& pair : sixteenPairs()) {
        pairs.emplace_back(QString::fromStdString(pair.source),
                           QString::fromStdString(pair.target));
    }
    return pairs;
}

// `moewb train` options for the tiny model of tests/core/NmtTestSupport.h (d_model 32, 2 + 2
// layers, d_ff 64, vocabulary 120) on <stem>.de/.en, validated on the same pairs: an epoch of
// the 16 pairs takes a fraction of a second. Deterministic (no dropout, one thread).
inline QStringList tinyTrainArgs(const QString& stem) {
    return {"train",      "--src",
            stem + ".de", "--tgt",
            stem + ".en", "--valid-src",
            stem + ".de", "--valid-tgt",
            stem + ".en", "--vocab",
            "120",        "--d-model",
            "32",         "--heads",
            "2",          "--encoder-layers",
            "2",          "--decoder-layers",
            "2",          "--d-ff",
            "64",         "--dropout",
            "0",          "--batch-tokens",
            "240",        "--max-sentence-tokens",
            "40",         "--lr",
            "0.005",      "--label-smoothing",
            "0",          "--patience",
            "1000",       "--threads",
            "1"};
}

// The header of a .moewb model file, read by hand from the layout in docs/formats.md ("Model
// file"): magic MOEWBNMT, u32 version, u64 header size, the header JSON. Independent of
// NmtModel::load, so a test can check what a command wrote. Null when the file is no model.
inline nlohmann::json readModelHeader(const QString& path) {
    const QByteArray bytes = readFile(path);
    if (bytes.size() < 20 || !bytes.startsWith("MOEWBNMT")) {
        return nullptr;
    }
    std::uint64_t size = 0;
    std::memcpy(&size, bytes.constData() + 12, sizeof size);  // little-endian, as the file
    if (size > std::uint64_t(bytes.size() - 20)) {
        return nullptr;
    }
    return nlohmann::json::parse(bytes.mid(20, int(size)).toStdString(), nullptr, false);
}

// The rest of the first output line that starts with `label` ("parameters  7578624" gives
// "7578624"), trimmed; empty when no line does.
inline QString valueAfter(const QString& text, const QString& label) {
    for (const QString& line : text.split('\n')) {
        if (line.startsWith(label)) {
            return line.mid(label.size()).trimmed();
        }
    }
    return {};
}

}  // namespace moewb::test
