#pragma once
// Runs the built `moewb` binary (MOEWB_CLI, set by tests/CMakeLists.txt) for end-to-end tests of
// the command line: exit code, stdout, stderr.

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

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

}  // namespace moewb::test
