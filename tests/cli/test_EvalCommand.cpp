// `moewb eval` end to end on --src/--ref files with an empty side: nothing is dropped silently.
#include "cli/CliTestSupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using moewb::test::runCli;

namespace {

void writeText(const QString& path, const QByteArray& text) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

}  // namespace

class TestEvalCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // An empty source line is translated (to an empty line) and scored, so --hyp-out keeps one
    // line per input line.
    void anEmptySourceKeepsItsLine() {
        QTemporaryDir dir;
        writeText(dir.filePath("t.de"), "Guten Morgen.\n\nDanke.\n");
        writeText(dir.filePath("t.en"), "Good morning.\nHello.\nThanks.\n");
        const auto run =
            runCli({"eval", "--src", dir.filePath("t.de"), "--ref", dir.filePath("t.en"),
                    "--rounds", "1", "--hyp-out", dir.filePath("hyp.en")});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("(3 sentences)"), qPrintable(run.out));
        QVERIFY2(run.err.contains("1 source line(s) are empty"), qPrintable(run.err));
        QFile hyp(dir.filePath("hyp.en"));
        QVERIFY(hyp.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = hyp.readAll().split('\n');
        QCOMPARE(lines.size(), 4);  // three lines and the final newline
        QVERIFY(!lines[0].isEmpty() && lines[1].isEmpty() && !lines[2].isEmpty());
    }

    // An empty reference cannot be scored: an error naming the file and the line.
    void anEmptyReferenceIsAnErrorNamingTheLine() {
        QTemporaryDir dir;
        writeText(dir.filePath("t.de"), "Guten Morgen.\nHallo.\n");
        writeText(dir.filePath("t.en"), "Good morning.\n   \n");
        const auto run = runCli({"eval", "--src", dir.filePath("t.de"), "--ref",
                                 dir.filePath("t.en"), "--rounds", "1"});
        QVERIFY2(run.finished && run.exitCode == 1 && run.noBacktrace(), qPrintable(run.err));
        QVERIFY2(run.errorLine().contains(dir.filePath("t.en") + ":2: empty reference"),
                 qPrintable(run.err));
    }

    void roundsAndLimitAreStrict() {
        QVERIFY(runCli({"eval", "--rounds", "0"}).isUsageError("--rounds 0 is out of range"));
        QVERIFY(runCli({"eval", "--limit", "-3"}).isUsageError("--limit -3 is out of range"));
        QVERIFY(runCli({"eval", "--limit", "5x"}).isUsageError("--limit needs a whole number"));
    }
};

QTEST_APPLESS_MAIN(TestEvalCommand)
#include "test_EvalCommand.moc"
