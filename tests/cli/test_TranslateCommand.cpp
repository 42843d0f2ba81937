// `moewb translate` end to end: streaming (a stopped run keeps its finished chunks), empty lines,
// --output written in place, the bounds of its options and their one-line errors.
#include "cli/CliTestSupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using moewb::test::runCli;

namespace {

QByteArray repeatLines(const QByteArray& line, int count) {
    QByteArray text;
    for (int i = 0; i < count; ++i) {
        text += line + '\n';
    }
    return text;
}

}  // namespace

class TestTranslateCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Empty and blank lines come back as empty lines, without running the model (which used to
    // turn each into "supple", half a second a line).
    void emptyLinesGiveEmptyLines() {
        const auto run = runCli({"translate"}, "\n\n   \n");
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.out, QStringLiteral("\n\n\n"));
        const auto many = runCli({"translate"}, repeatLines("", 1000));
        QVERIFY2(many.finished && many.exitCode == 0, qPrintable(many.err));
        QCOMPARE(many.out, QString(1000, '\n'));
    }

    // Lines are translated and written chunk by chunk (64 lines from a pipe): killed while it
    // waits for more input, the run has already written the 64 lines of its first chunk.
    void aStoppedRunKeepsWhatItFinished() {
        QProcess process;
        process.setProcessEnvironment(moewb::test::cliEnvironment());
        process.start(QStringLiteral(MOEWB_CLI), {"translate", "--max-length", "16"});
        QVERIFY(process.waitForStarted(30000));
        process.write(repeatLines("Hallo.", 64));  // stdin stays open: more could come
        QByteArray out;
        while (out.count('\n') < 64 && process.state() == QProcess::Running &&
               process.waitForReadyRead(300000)) {
            out += process.readAllStandardOutput();
        }
        QCOMPARE(process.state(), QProcess::Running);
        process.kill();
        process.waitForFinished();
        out += process.readAllStandardOutput();
        QCOMPARE(out.count('\n'), 64);
        QVERIFY2(!out.trimmed().isEmpty(), out.constData());
    }

    // --output is written in place (a run stopped later keeps its chunks there too); it may
    // not be the input file, which writing would erase.
    void writesTheOutputFileAndRefusesTheInputAsOutput() {
        QTemporaryDir dir;
        const QString input = dir.filePath("in.de"), output = dir.filePath("out.en");
        QFile file(input);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("Hallo.\n\nDanke.\n");
        file.close();
        const auto run = runCli({"translate", "--input", input, "--output", output});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QFile written(output);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = written.readAll().split('\n');
        QCOMPARE(lines.size(), 4);  // three lines and the final newline
        QVERIFY(!lines[0].isEmpty() && lines[1].isEmpty() && !lines[2].isEmpty());

        const auto same = runCli({"translate", "--input", input, "--output", input});
        QVERIFY2(same.isUsageError("is the --input file"), qPrintable(same.err));
        QFile kept(input);
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), QByteArray("Hallo.\n\nDanke.\n"));
    }

    // Options out of bounds or not numbers end at once with one line naming the option.
    void optionsAreParsedStrictlyWithinBounds() {
        const QList<QPair<QStringList, QString>> cases = {
            {{"--threads", "100000"}, "--threads 100000 is out of range"},
            {{"--threads", "-1"}, "--threads -1 is out of range"},
            {{"--beam", "10000"}, "--beam 10000 is out of range: use a whole number from 1 to 64"},
            {{"--beam", "1x"}, "--beam needs a whole number"},
            {{"--batch", "0"}, "--batch 0 is out of range"},
            {{"--max-length", "100000"}, "--max-length 100000 is out of range"},
            {{"--length-penalty", "nan"}, "--length-penalty needs a number"},
            {{"--length-penalty", "inf"}, "--length-penalty needs a number"},
            {{"--length-penalty", " 1"}, "--length-penalty needs a number"},
        };
        for (const auto& [args, message] : cases) {
            const auto run = runCli(QStringList{"translate"} + args, "Hallo.\n");
            QVERIFY2(run.isUsageError(message), qPrintable(args.join(' ') + ": " + run.err));
            QVERIFY(run.out.isEmpty());
        }
    }

    // K and τ are checked against the shipped MoE's partition (16 experts).
    void kIsWithinTheExpertsOfThePartition() {
        const auto run = runCli({"translate", "--moe", "--k", "99"}, "Hallo.\n");
        QVERIFY2(run.finished && run.exitCode == 2 && run.noBacktrace(), qPrintable(run.err));
        QVERIFY2(run.errorLine().contains("--k 99 is out of range") &&
                     run.errorLine().contains("16 experts"),
                 qPrintable(run.err));
        const auto tau = runCli({"translate", "--moe", "--tau", "1.5"}, "Hallo.\n");
        QVERIFY2(tau.finished && tau.exitCode == 2 && tau.errorLine().contains("--tau 1.5"),
                 qPrintable(tau.err));
    }
};

QTEST_APPLESS_MAIN(TestTranslateCommand)
#include "test_TranslateCommand.moc"
