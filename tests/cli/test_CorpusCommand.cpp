// `moewb corpus` end to end: the pair counts and length statistics it prints for the small
// corpora of tests/data/corpus, checked against pairs listed by hand and counted here
// independently; --write-splits writes exactly the pairs it counted; bad input is one line.
#include "cli/CliTestSupport.h"

#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using moewb::test::CliRun;
using moewb::test::Pairs;
using moewb::test::runClis;

namespace {

const QString kData = QStringLiteral(MOEWB_TEST_DATA_DIR "/corpus/");

// The statistics row of one side, counted here: words are runs of non-space (space, tab),
// characters are code points (CorpusStatistics.h).
QString expectedSide(const QString& label, const QStringList& sentences) {
    QList<int> words;
    int characters = 0;
    for (const QString& s : sentences) {
        words << s.split(QRegularExpression("[ \t]+"), Qt::SkipEmptyParts).size();
        characters += s.toUcs4().size();
    }
    std::sort(words.begin(), words.end());
    int total = 0;
    for (int w : words) {
        total += w;
    }
    const int n = words.size();
    const double median = n % 2 ? words[n / 2] : (words[n / 2 - 1] + words[n / 2]) / 2.0;
    return QString("%1 %2 %3 %4 %5 %6 %7")
        .arg(label)
        .arg(words.first())
        .arg(double(total) / n, 0, 'f', 2)
        .arg(median, 0, 'f', 1)
        .arg(words.last())
        .arg(total)
        .arg(characters);
}

// The printed row of a side with its spacing collapsed, for comparison with expectedSide().
QString printedSide(const QString& out, const QString& label) {
    return (label + " " + moewb::test::valueAfter(out, "  " + label)).simplified();
}

QStringList side(const Pairs& pairs, bool source) {
    QStringList out;
    for (const auto& [de, en] : pairs) {
        out << (source ? de : en);
    }
    return out;
}

// Pairs per split from the table ("  train   2   66.67 %"): {train, valid, test, total}.
QList<int> splitCounts(const QString& out) {
    QList<int> counts;
    for (const char* split : {"train", "valid", "test", "total"}) {
        counts
            << moewb::test::valueAfter(out, QString("  %1 ").arg(split)).section(' ', 0, 0).toInt();
    }
    return counts;
}

// The three pairs of moses_small.de/.en (and pairs_small.tsv) with two non-empty sides:
// lines 1, 2 and 4; lines 3 and 5 have an empty or blank German side, line 6 no English.
const Pairs kSmallPairs = {{"Guten Morgen.", "Good morning."},
                           {"Wie geht es dir?", "How are you?"},
                           {"Danke, gut.", "Fine, thanks."}};

QByteArray numbered(const QString& format, int count) {
    QByteArray text;
    for (int i = 0; i < count; ++i) {
        text += format.arg(i).toUtf8() + '\n';
    }
    return text;
}

}  // namespace

class TestCorpusCommand : public QObject {
    Q_OBJECT

    // The runs on the files of tests/data/corpus, side by side.
    CliRun m_moses, m_tsv, m_ding, m_dingBoth;

private Q_SLOTS:
    void initTestCase() {
        const auto runs = runClis(
            {{"corpus", "--src", kData + "moses_small.de", "--tgt", kData + "moses_small.en"},
             {"corpus", "--tsv", kData + "pairs_small.tsv"},
             {"corpus", "--ding", kData + "ding_small.txt"},
             {"corpus", "--ding-path", kData + "ding_small.txt", "--mode", "both"}});
        m_moses = runs[0];
        m_tsv = runs[1];
        m_ding = runs[2];
        m_dingBoth = runs[3];
    }

    void mosesFilesGiveTheHandCountedStatistics() {
        const CliRun& run = m_moses;
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(moewb::test::valueAfter(run.out, "read:"),
                 QStringLiteral("6 lines, 3 empty skipped"));
        const QList<int> counts = splitCounts(run.out);
        QCOMPARE(counts[3], 3);
        QCOMPARE(counts[0] + counts[1] + counts[2], counts[3]);
        QCOMPARE(printedSide(run.out, "German (src)"),
                 expectedSide("German (src)", side(kSmallPairs, true)));
        QCOMPARE(printedSide(run.out, "English (tgt)"),
                 expectedSide("English (tgt)", side(kSmallPairs, false)));
        // The share column is count / total: 1 of 3 pairs is 33.33 %.
        for (const char* split : {"train", "valid", "test"}) {
            const QStringList row = moewb::test::valueAfter(run.out, QString("  %1 ").arg(split))
                                        .split(' ', Qt::SkipEmptyParts);
            QCOMPARE(row.value(1), QString::number(100.0 * row.value(0).toInt() / 3, 'f', 2));
        }
    }

    // The same three pairs as TSV (blank line 3 skipped) give the same table.
    void tsvGivesTheSameTable() {
        const CliRun& run = m_tsv;
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(moewb::test::valueAfter(run.out, "read:"),
                 QStringLiteral("4 lines, 1 empty skipped"));
        QCOMPARE(splitCounts(run.out)[3], 3);
        QCOMPARE(printedSide(run.out, "German (src)"),
                 expectedSide("German (src)", side(kSmallPairs, true)));
        QCOMPARE(printedSide(run.out, "English (tgt)"),
                 expectedSide("English (tgt)", side(kSmallPairs, false)));
    }

    // ding_small.txt read by hand (docs/formats.md, "Ding dictionary"): 15 lines, 2 comments,
    // 1 without " :: ", 1 with mismatched parts. Its sentence pairs, cleaned of annotations, are
    // the 7 below ("Das Haus ist sehr alt." twice: 1 duplicate); the other 12 pairs are phrases
    // (Haus, Häuser, Hund, Köter, Hunde, Gib auf! (two words), schnell twice, Er geht {vi} ...
    // (a grammar tag), Auto, Autos, and line 14's Haus again).
    void dingSentencesAreTheHandListedOnes() {
        const Pairs sentences = {{"Das Haus ist sehr alt.", "The house is very old."},
                                 {"Der Hund bellt laut.", "The dog barks loudly."},
                                 {"Über den Wolken ist die Freiheit grenzenlos.",
                                  "Above the clouds freedom is boundless."},
                                 {"Ärger gibt es immer.", "There is always trouble."},
                                 {"Wie spät ist es?", "What time is it?"},
                                 {"Wie viel Uhr ist es?", "What's the time?"},
                                 {"Er läuft schnell.", "He runs fast."}};
        const CliRun& run = m_ding;
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(moewb::test::valueAfter(run.out, "read:"),
                 QStringLiteral("15 lines, 2 comments, 1 without ' :: ' skipped, 1 with "
                                "mismatched ' | ' parts skipped, 12 pairs of the other mode, 1 "
                                "duplicates dropped"));
        QCOMPARE(splitCounts(run.out)[3], 7);
        QCOMPARE(printedSide(run.out, "German (src)"),
                 expectedSide("German (src)", side(sentences, true)));
        QCOMPARE(printedSide(run.out, "English (tgt)"),
                 expectedSide("English (tgt)", side(sentences, false)));
        // Both modes: 7 sentences + 11 distinct phrases, 2 duplicates in all.
        QVERIFY2(m_dingBoth.finished && m_dingBoth.exitCode == 0, qPrintable(m_dingBoth.err));
        QCOMPARE(splitCounts(m_dingBoth.out)[3], 18);
        QVERIFY2(m_dingBoth.out.contains("2 duplicates dropped"), qPrintable(m_dingBoth.out));
    }

    // 300 distinct pairs: the split files hold every pair once, line-aligned, in the counts
    // printed; the test split does not move when the validation share changes (CorpusSplit.h).
    void writtenSplitsHoldExactlyTheCountedPairs() {
        QTemporaryDir dir;
        const QString stem = dir.filePath("c");
        QVERIFY(moewb::test::writeFile(stem + ".de", numbered("Das ist Satz %1.", 300)));
        QVERIFY(moewb::test::writeFile(stem + ".en", numbered("This is sentence %1.", 300)));
        const QString out = dir.filePath("splits"), moved = dir.filePath("moved");
        const QStringList corpus = {"corpus", "--src", stem + ".de", "--tgt", stem + ".en"};
        const auto runs = runClis(
            {corpus + QStringList{"--valid", "0.1", "--test", "0.1", "--write-splits", out},
             corpus + QStringList{"--valid", "0", "--test", "0.1", "--write-splits", moved}});
        const CliRun& run = runs[0];
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        const QList<int> counts = splitCounts(run.out);
        QCOMPARE(counts[3], 300);
        QVERIFY2(run.out.contains("wrote " + out + "/{train,valid,test}.{de,en}"),
                 qPrintable(run.out));
        auto lines = [](const QString& path) {
            return QString::fromUtf8(moewb::test::readFile(path)).split('\n', Qt::SkipEmptyParts);
        };
        QSet<QString> seen;
        QStringList test;
        int i = 0;
        for (const QString split : {"train", "valid", "test"}) {
            const QStringList de = lines(out + "/" + split + ".de");
            const QStringList en = lines(out + "/" + split + ".en");
            QCOMPARE(de.size(), counts[i++]);
            QCOMPARE(en.size(), de.size());
            for (int l = 0; l < de.size(); ++l) {
                // Line l of the English file translates line l of the German one.
                QCOMPARE(en[l].section(' ', 3), de[l].section(' ', 3));
                seen.insert(de[l]);
            }
            test = de;
        }
        QCOMPARE(seen.size(), 300);
        // With shares of 10 %, each split of 300 hashed pairs holds some (expected 30 each).
        QVERIFY2(counts[1] > 5 && counts[2] > 5, qPrintable(run.out));

        QVERIFY2(runs[1].finished && runs[1].exitCode == 0, qPrintable(runs[1].err));
        QCOMPARE(splitCounts(runs[1].out)[1], 0);
        QCOMPARE(lines(moved + "/test.de"), test);
    }

    // Missing and malformed files end with one line naming the file (and the line), exit 1;
    // bad options before any reading, exit 2.
    void badInputIsOneLine() {
        QTemporaryDir dir;
        const QString missing = dir.filePath("missing.de"), tsv = dir.filePath("bad.tsv");
        const QString latin1 = dir.filePath("latin1.de"), two = dir.filePath("two.en");
        QVERIFY(moewb::test::writeFile(tsv, "Hallo.\tHello.\nkein Tabulator hier\n"));
        QVERIFY(moewb::test::writeFile(latin1, "Guten Morgen.\nSch\xf6n.\n"));
        QVERIFY(moewb::test::writeFile(two, "Good morning.\nNice.\n"));
        const QString de = kData + "moses_small.de";
        const QStringList src = {"corpus", "--src", de, "--tgt", kData + "moses_small.en"};
        const QString problems = moewb::test::checkBadRuns({
            {{"corpus", "--src", missing, "--tgt", two}, missing, 1},
            {{"corpus", "--tsv", tsv}, tsv + ":2:", 1},
            {{"corpus", "--src", latin1, "--tgt", two}, latin1 + ":2: invalid UTF-8", 1},
            // Different line counts: both files, both counts.
            {{"corpus", "--src", de, "--tgt", two}, "has 6 lines but " + two + " has 2", 1},
            {src + QStringList{"--valid", "1"},
             "--valid 1 is out of range: use a number at least 0 and below 1"},
            {src + QStringList{"--valid", "0.6", "--test", "0.5"}, "0.6"},
            {src + QStringList{"--mode", "phrases"}, "--mode applies to the Ding dictionary only"},
            {{"corpus", "--src", de}, "a Moses corpus needs both --src and --tgt"},
            {{"corpus", "--ding", kData + "ding_small.txt", "--mode", "x"}, "'x'"},
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
};

QTEST_APPLESS_MAIN(TestCorpusCommand)
#include "test_CorpusCommand.moc"
