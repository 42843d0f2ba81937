// The CLI's shared option parsing (CliSupport): strict numbers within bounds for every command,
// unit-tested, plus commands that must stop at a bad number before reading any data.
#include "CliSupport.h"
#include "cli/CliTestSupport.h"

#include <QtTest>

#include <thread>

using namespace moewb::cli;
using moewb::test::runCli;

namespace {

// The UsageError message of `run`, or "" when it does not throw one.
template <typename F>
QString usageErrorOf(F run) {
    try {
        run();
    } catch (const UsageError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

}  // namespace

class TestCliSupport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void integersAreWholeTextsWithinBounds() {
        QCOMPARE(parseInt("k", "4", 1, 16), 4);
        QCOMPARE(parseInt("seed", "0", 0, 10), 0);
        QCOMPARE(parseInt("limit", "-3", -5, 5), -3);
        for (const char* bad : {"1x", "", " 4", "4 ", "+4", "0x10", "4.0", "1e2", "nan"}) {
            const QString error = usageErrorOf([&] { parseInt("k", bad, 1, 16); });
            QVERIFY2(error.startsWith("--k needs a whole number from 1 to 16, not '"),
                     qPrintable(QString(bad) + ": " + error));
        }
        QCOMPARE(usageErrorOf([] { parseInt("beam", "10000", 1, 64, "why"); }),
                 QStringLiteral("--beam 10000 is out of range: use a whole number from 1 to 64 "
                                "(why)"));
        QVERIFY(usageErrorOf([] {
                    parseInt("k", "99999999999999999999", 1, 16);
                }).contains("out of range"));
    }

    void numbersAreFiniteWithinTheirRange() {
        QCOMPARE(parseNumber("lr", "1e-4", NumberRange::above(0)), 1e-4);
        QCOMPARE(parseNumber("tau", "0.5", NumberRange::inside(0, 1)), 0.5);
        QCOMPARE(parseNumber("dropout", "0", NumberRange::upTo(0, 1)), 0.0);
        for (const char* bad : {"nan", "inf", "-inf", "", "0.5x", " 0.5", "0x1p-1"}) {
            QVERIFY2(usageErrorOf([&] {
                         parseNumber("tau", bad, NumberRange::inside(0, 1));
                     }).startsWith("--tau needs a number above 0 and below 1, not '"),
                     bad);
        }
        QCOMPARE(usageErrorOf([] { parseNumber("tau", "1", NumberRange::inside(0, 1)); }),
                 QStringLiteral("--tau 1 is out of range: use a number above 0 and below 1"));
        QVERIFY(usageErrorOf([] {
                    parseNumber("lr", "0", NumberRange::above(0));
                }).contains("above 0"));
        QCOMPARE(QString::fromStdString(NumberRange::between(0, 5).text()),
                 QStringLiteral("from 0 to 5"));
        QCOMPARE(QString::fromStdString(NumberRange::atLeast(0).text()),
                 QStringLiteral("at least 0"));
    }

    void listsAndOptionsGoThroughTheSameParser() {
        const Arguments args({"--ks", "1,2,4", "--bad", "1,,2", "--tau", "0.3,0.5", "--x=7"},
                             {"ks", "bad", "tau", "x"}, {});
        QCOMPARE(args.intListValue("ks", 1, 16), std::vector<int>({1, 2, 4}));
        QVERIFY(args.intListValue("none", 1, 16).empty());
        QVERIFY(usageErrorOf([&] { args.intListValue("bad", 1, 16); }).contains("''"));
        QCOMPARE(args.doubleListValue("tau", NumberRange::inside(0, 1)),
                 std::vector<double>({0.3, 0.5}));
        QCOMPARE(args.intValue("x", 0, 0, 10), 7);
        QCOMPARE(args.intValue("absent", 3, 0, 10), 3);
        QVERIFY(usageErrorOf([&] { args.intValue("x", 0, 0, 5); }).contains("--x 7"));
    }

    void durationsAreStrictAndPositive() {
        QCOMPARE(parseDuration("90s"), 90.0);
        QCOMPARE(parseDuration("30m"), 1800.0);
        QCOMPARE(parseDuration("2"), 120.0);
        QCOMPARE(parseDuration("1.5h"), 5400.0);
        for (const char* bad : {"", "0", "-5m", "nanm", "1x", "m", "5 m"}) {
            QVERIFY2(usageErrorOf([&] { parseDuration(bad); }).startsWith("--time-budget needs"),
                     bad);
        }
    }

    void threadsAreAtMostFourPerCore() {
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const auto four = std::to_string(4 * cores);
        QCOMPARE(threadsOption(Arguments({"--threads", four}, {"threads"}, {})), 4 * cores);
        QCOMPARE(threadsOption(Arguments({}, {"threads"}, {})), 0);
        const auto more = std::to_string(4 * cores + 1);
        QVERIFY(usageErrorOf([&] {
                    threadsOption(Arguments({"--threads", more}, {"threads"}, {}));
                }).contains("out of range"));
    }

    // Each command parses its numbers with these helpers, before reading data or a model.
    void everyCommandRefusesABadNumberAtOnce() {
        const QList<QPair<QStringList, QString>> cases = {
            {{"train", "--out", "m.moewb", "--d-model", "1000000"}, "--d-model 1000000"},
            {{"train", "--out", "m.moewb", "--heads", "3"}, "heads"},
            {{"train", "--out", "m.moewb", "--epochs", "0"}, "--epochs 0"},
            {{"train", "--out", "m.moewb", "--lr", "nan"}, "--lr needs a number"},
            {{"train", "--out", "m.moewb", "--time-budget", "1x"}, "--time-budget needs"},
            {{"corpus", "--valid", "nan"}, "--valid needs a number"},
            {{"system", "--size", "1x"}, "--size needs a whole number"},
            {{"profile", "p", "--tokens", "0"}, "--tokens 0"},
            {{"partition", "p", "--experts", "0"}, "--experts 0"},
            {{"demo", "--tokens", "-1"}, "--tokens -1"},
            {{"eval", "--beam", "65"}, "--beam 65"},
        };
        for (const auto& [args, message] : cases) {
            const auto run = runCli(args);
            QVERIFY2(run.isUsageError(message), qPrintable(args.join(' ') + ": " + run.err));
        }
    }
};

QTEST_APPLESS_MAIN(TestCliSupport)
#include "test_CliSupport.moc"
