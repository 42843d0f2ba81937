// Tests computeStatistics: pair, word and character counts and the per-side length summary.
#include "moewb/corpus/CorpusStatistics.h"

#include <QtTest>

using namespace moewb;

class TestCorpusStatistics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsWords_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("words");
        QTest::newRow("empty") << "" << 0;
        QTest::newRow("one") << "Hallo" << 1;
        QTest::newRow("spaces") << "  Guten   Morgen  " << 2;
        QTest::newRow("tab") << "a\tb c" << 3;
        QTest::newRow("punctuation attached") << "Ja, gut." << 2;
    }

    void countsWords() {
        QFETCH(QString, text);
        QFETCH(int, words);
        QCOMPARE(countWords(text.toStdString()), std::size_t(words));
    }

    void oddNumberOfPairs() {
        ParallelCorpus corpus;
        corpus.pairs = {
            {"Öl", "Oil is good"}, {"Der Hund bellt laut", "The dog"}, {"Ja nein", "Yes"}};
        const CorpusStatistics stats = computeStatistics(corpus);
        QCOMPARE(stats.pairs, std::size_t(3));
        QCOMPARE(stats.source.words, std::size_t(1 + 4 + 2));
        QCOMPARE(stats.source.minWords, std::size_t(1));
        QCOMPARE(stats.source.maxWords, std::size_t(4));
        QCOMPARE(stats.source.medianWords, 2.0);
        QCOMPARE(stats.source.meanWords, 7.0 / 3.0);
        QCOMPARE(stats.source.characters, std::size_t(2 + 19 + 7));  // Ö is one character
        QCOMPARE(stats.target.words, std::size_t(3 + 2 + 1));
        QCOMPARE(stats.target.medianWords, 2.0);
        QCOMPARE(stats.target.characters, std::size_t(11 + 7 + 3));
    }

    void evenNumberOfPairsAveragesTheMiddle() {
        ParallelCorpus corpus;
        corpus.pairs = {{"a b c d e f", "x"}, {"a", "x"}, {"a b c", "x"}, {"a b", "x y z w"}};
        const CorpusStatistics stats = computeStatistics(corpus);
        QCOMPARE(stats.source.medianWords, 2.5);  // 1 2 | 3 6
        QCOMPARE(stats.source.meanWords, 3.0);
        QCOMPARE(stats.target.medianWords, 1.0);  // 1 1 | 1 4
        QCOMPARE(stats.target.maxWords, std::size_t(4));
    }

    void emptyCorpusIsAllZero() {
        const CorpusStatistics stats = computeStatistics(ParallelCorpus{});
        QCOMPARE(stats.pairs, std::size_t(0));
        QCOMPARE(stats.source.words, std::size_t(0));
        QCOMPARE(stats.source.meanWords, 0.0);
        QCOMPARE(stats.target.maxWords, std::size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestCorpusStatistics)
#include "test_CorpusStatistics.moc"
