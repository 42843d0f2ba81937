// `moewb system` end to end: the cores and threads it reports are the machine's and the
// --threads asked for, its matrix-product line is self-consistent (2 N^3 flops in the printed
// time), the exit code follows the BLAS it names; bad options are one line.
#include "cli/CliTestSupport.h"

#include <QRegularExpression>
#include <QtTest>

#include <unistd.h>

using moewb::test::runClis;
using moewb::test::valueAfter;

class TestSystemCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reportsThreadsBlasAndTiming() {
        const auto runs =
            runClis({{"system", "--threads", "1", "--size", "512"}, {"system", "--size", "16"}});
        const auto& run = runs[0];
        QVERIFY2(run.finished, qPrintable(run.err));
        // The cores online, counted here by the C library.
        QCOMPARE(valueAfter(run.out, "cores ").toLong(), ::sysconf(_SC_NPROCESSORS_ONLN));
        QCOMPARE(valueAfter(run.out, "torch threads "), QStringLiteral("1"));
        const QRegularExpression matmul(R"(^matmul 512x512 +(\d+\.\d) ms \((\d+\.\d) GFLOP/s\)$)",
                                        QRegularExpression::MultilineOption);
        const auto match = matmul.match(run.out);
        QVERIFY2(match.hasMatch(), qPrintable(run.out));
        const double ms = match.captured(1).toDouble(), gflops = match.captured(2).toDouble();
        // 2 * 512^3 = 268 435 456 flops in the printed time; both are rounded to 0.1.
        QVERIFY2(ms >= 0.1, qPrintable(run.out));
        const double expected = 268435456.0 / (ms * 1e-3) / 1e9;
        QVERIFY2(std::abs(gflops - expected) <= expected * 0.05 / ms + 0.051, qPrintable(run.out));
        // Exit 0 exactly when LibTorch runs on OpenBLAS; otherwise a warning says how to get it.
        const QString blas = valueAfter(run.out, "BLAS library ");
        QVERIFY(!blas.isEmpty());
        const bool openBlas = blas.contains("openblas", Qt::CaseInsensitive);
        QCOMPARE(run.exitCode, openBlas ? 0 : 1);
        QCOMPARE(run.err.contains("warning: LibTorch is not using OpenBLAS"), !openBlas);
        QVERIFY(valueAfter(run.out, "SentencePiece ").endsWith(".so"));

        // Without --threads LibTorch runs one thread per core.
        QCOMPARE(valueAfter(runs[1].out, "torch threads ").toLong(),
                 ::sysconf(_SC_NPROCESSORS_ONLN));
        QVERIFY(runs[1].out.contains("\nmatmul 16x16 "));
    }

    void badOptionsAreOneLine() {
        const QList<QPair<QStringList, QString>> cases = {
            {{"--size", "8"}, "--size 8 is out of range: use a whole number from 16 to 8192"},
            {{"--size", "big"}, "--size needs a whole number"},
            {{"--threads", "-1"}, "--threads -1 is out of range"},
            {{"--threads", "100000"}, "--threads 100000 is out of range"},
        };
        QList<QStringList> commands;
        for (const auto& item : cases) {
            commands << QStringList{"system"} + item.first;
        }
        const auto runs = runClis(commands);
        for (int i = 0; i < cases.size(); ++i) {
            QVERIFY2(runs[i].isUsageError(cases[i].second) && runs[i].out.isEmpty(),
                     qPrintable(cases[i].second + " | " + runs[i].err));
        }
    }
};

QTEST_APPLESS_MAIN(TestSystemCommand)
#include "test_SystemCommand.moc"
