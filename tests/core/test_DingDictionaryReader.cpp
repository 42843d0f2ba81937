// Tests the Ding dictionary reader on a small fixture (tests/data/corpus/ding_small.txt), its
// line parser and cleaner, its errors, and (when installed) the real /usr/share/trans/de-en.
#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/DingDictionaryReader.h"
#include "moewb/util/Feedback.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <fstream>
#include <stdexcept>

using namespace moewb;

namespace {

const std::string kFixture = MOEWB_TEST_DATA_DIR "/corpus/ding_small.txt";

ParallelCorpus readFixture(DingMode mode, CorpusReadStats* stats = nullptr,
                           const std::string& path = kFixture) {
    Feedback feedback;
    DingOptions options;
    options.path = path;
    options.mode = mode;
    return readDingDictionary(options, feedback, stats);
}

// The cleaned pairs of one line; fails the calling test when the line is not of kind `expected`.
std::vector<SentencePair> parse(const std::string& line, DingLineKind expected) {
    std::vector<DingPair> pairs;
    const DingLineKind kind = parseDingLine(line, pairs);
    const std::string what = "line kind of \"" + line + "\"";
    QTest::qCompare(static_cast<int>(kind), static_cast<int>(expected), what.c_str(),
                    "expected kind", __FILE__, __LINE__);
    std::vector<SentencePair> result;
    for (const DingPair& pair : pairs) {
        result.push_back(pair.pair);
    }
    return result;
}

QString errorOf(const std::function<void()>& action, std::size_t* line = nullptr) {
    try {
        action();
    } catch (const CorpusError& e) {
        if (line != nullptr) {
            *line = e.line();
        }
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestDingDictionaryReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sentenceMode() {
        CorpusReadStats stats;
        const ParallelCorpus corpus = readFixture(DingMode::Sentences, &stats);
        const std::vector<SentencePair> expected = {
            {"Das Haus ist sehr alt.", "The house is very old."},
            {"Der Hund bellt laut.", "The dog barks loudly."},
            {"Über den Wolken ist die Freiheit grenzenlos.",
             "Above the clouds freedom is boundless."},
            {"Ärger gibt es immer.", "There is always trouble."},
            {"Wie spät ist es?", "What time is it?"},
            {"Wie viel Uhr ist es?", "What's the time?"},
            {"Er läuft schnell.", "He runs fast."},
        };
        QCOMPARE(corpus.pairs, expected);
        QCOMPARE(corpus.description, "ding:" + kFixture + " (sentences)");
        QCOMPARE(stats.linesRead, std::size_t(15));
        QCOMPARE(stats.commentLines, std::size_t(2));
        QCOMPARE(stats.skippedPartMismatch, std::size_t(1));
        QCOMPARE(stats.skippedMalformed, std::size_t(1));
        QCOMPARE(stats.duplicates, std::size_t(1));
        QCOMPARE(stats.skippedOtherMode, std::size_t(12));
    }

    void phraseMode() {
        CorpusReadStats stats;
        const ParallelCorpus corpus = readFixture(DingMode::Phrases, &stats);
        const std::vector<SentencePair> expected = {
            {"Haus", "house"},   {"Häuser", "houses"}, {"Hund", "dog"},
            {"Köter", "dog"},    {"Hunde", "dogs"},    {"Gib auf!", "Give up!"},
            {"schnell", "fast"}, {"schnell", "quick"}, {"Er geht nach Hause.", "He goes home."},
            {"Auto", "car"},     {"Autos", "cars"},
        };
        QCOMPARE(corpus.pairs, expected);
        QCOMPARE(stats.duplicates, std::size_t(1));
        QCOMPARE(stats.skippedOtherMode, std::size_t(8));
    }

    void bothModes() {
        CorpusReadStats stats;
        const ParallelCorpus corpus = readFixture(DingMode::Both, &stats);
        QCOMPARE(corpus.pairs.size(), std::size_t(7 + 11));
        QCOMPARE(stats.duplicates, std::size_t(2));
        QCOMPARE(stats.skippedOtherMode, std::size_t(0));
        QCOMPARE(corpus.pairs.front(), (SentencePair{"Haus", "house"}));
    }

    void readsGzip() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("de-en.gz").toStdString();
        std::ifstream in(kFixture, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        gzFile file = gzopen(path.c_str(), "wb");
        gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
        gzclose(file);
        QCOMPARE(readFixture(DingMode::Both, nullptr, path).pairs,
                 readFixture(DingMode::Both).pairs);
    }

    void pairsAlternativesIndexWiseWhenCountsMatch() {
        const auto pairs = parse("eins; zwei; drei :: one; two; three", DingLineKind::Entry);
        QCOMPARE(pairs,
                 (std::vector<SentencePair>{{"eins", "one"}, {"zwei", "two"}, {"drei", "three"}}));
    }

    void pairsAlternativesWithTheFirstWhenCountsDiffer() {
        auto pairs = parse("Auto; Wagen; Karre :: car; automobile", DingLineKind::Entry);
        QCOMPARE(pairs,
                 (std::vector<SentencePair>{
                     {"Auto", "car"}, {"Wagen", "car"}, {"Karre", "car"}, {"Auto", "automobile"}}));
        pairs = parse("Auto :: car; automobile; motor car", DingLineKind::Entry);
        QCOMPARE(pairs, (std::vector<SentencePair>{
                            {"Auto", "car"}, {"Auto", "automobile"}, {"Auto", "motor car"}}));
    }

    void doesNotSplitInsideBrackets() {
        const auto pairs =
            parse("Werk (von Goethe; Drama) :: work (by Goethe; drama)", DingLineKind::Entry);
        QCOMPARE(pairs, (std::vector<SentencePair>{{"Werk", "work"}}));
    }

    void lineKinds() {
        std::vector<DingPair> out;
        QCOMPARE(parseDingLine("# Kommentar :: comment", out), DingLineKind::Comment);
        QCOMPARE(parseDingLine("# x", out), DingLineKind::Comment);
        QCOMPARE(parseDingLine("   ", out), DingLineKind::Blank);
        QCOMPARE(parseDingLine("", out), DingLineKind::Blank);
        QCOMPARE(parseDingLine("kein Trenner", out), DingLineKind::Malformed);
        QCOMPARE(parseDingLine("a | b :: a", out), DingLineKind::PartMismatch);
        QVERIFY(out.empty());  // none of these gives a pair
        QCOMPARE(parseDingLine("Haus :: house", out), DingLineKind::Entry);
        QCOMPARE(out.size(), std::size_t(1));
    }

    void grammarTagsMakePhrases() {
        std::vector<DingPair> out;
        parseDingLine(
            "Er geht {vi} nach Hause. | Sie kommt nach Hause. :: He goes home. | "
            "She comes home.",
            out);
        QCOMPARE(out.size(), std::size_t(2));
        QVERIFY(!out[0].sentence);
        QCOMPARE(out[0].pair.source, std::string("Er geht nach Hause."));
        QVERIFY(out[1].sentence);
    }

    void keepsOnlyTheRequestedKind() {
        const std::string line = "Haus {n} | Das Haus ist alt. :: house | The house is old.";
        std::vector<DingPair> out;
        std::size_t other = 0;
        parseDingLine(line, out, DingMode::Sentences, &other);
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE(out[0].pair.target, std::string("The house is old."));
        QCOMPARE(other, std::size_t(1));
        out.clear();
        parseDingLine(line, out, DingMode::Phrases, &other);
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE(out[0].pair.source, std::string("Haus"));
        QCOMPARE(other, std::size_t(2));
    }

    void cleansAnnotations_data() {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("cleaned");
        QTest::newRow("tags") << "Haus {n}"
                              << "Haus";
        QTest::newRow("labels") << "Kiste [ugs.] [Dt.]"
                                << "Kiste";
        QTest::newRow("notes") << "Aal (auf der Speisekarte) blau"
                               << "Aal blau";
        QTest::newRow("nested") << "a (b (c) d) e"
                                << "a e";
        QTest::newRow("spelling") << "Aalmolch <Aalmolche>"
                                  << "Aalmolch";
        QTest::newRow("abbreviation") << "Atomwaffensperrvertrag /NPT/"
                                      << "Atomwaffensperrvertrag";
        QTest::newRow("fraction kept") << "1/8 Kreis"
                                       << "1/8 Kreis";
        QTest::newRow("slash alternatives kept") << "Jahr/heuer"
                                                 << "Jahr/heuer";
        QTest::newRow("space before punctuation") << "Ja [ugs.] , gut (sehr) ."
                                                  << "Ja, gut.";
        QTest::newRow("spaces collapsed") << "  viel   Platz\t "
                                          << "viel Platz";
        QTest::newRow("unmatched bracket kept") << "a (b"
                                                << "a (b";
        QTest::newRow("only annotations") << "{adj} [ugs.]"
                                          << "";
        QTest::newRow("unchanged") << "Er läuft schnell."
                                   << "Er läuft schnell.";
    }

    void cleansAnnotations() {
        QFETCH(QString, raw);
        QFETCH(QString, cleaned);
        QCOMPARE(QString::fromStdString(cleanDingText(raw.toStdString())), cleaned);
    }

    void detectsSentences_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("sentence");
        QTest::newRow("plain") << "Der Hund bellt." << true;
        QTest::newRow("question") << "Wie spät ist es?" << true;
        QTest::newRow("exclamation") << "Gib es endlich auf!" << true;
        QTest::newRow("umlaut Ä") << "Ärger gibt es immer." << true;
        QTest::newRow("umlaut Ö") << "Öl ist teuer." << true;
        QTest::newRow("umlaut Ü") << "Über allen Gipfeln ist Ruh." << true;
        QTest::newRow("lower case") << "über allen Gipfeln." << false;
        QTest::newRow("lower umlaut") << "äußerst schwierig ist das." << false;
        QTest::newRow("two words") << "Gib auf!" << false;
        QTest::newRow("no end mark") << "Der Hund bellt" << false;
        QTest::newRow("ellipsis char") << "Der Termin für …" << false;
        QTest::newRow("digit first") << "3 Hunde bellen laut." << false;
        QTest::newRow("empty") << "" << false;
    }

    void detectsSentences() {
        QFETCH(QString, text);
        QFETCH(bool, sentence);
        QCOMPARE(isDingSentence(text.toStdString()), sentence);
    }

    void modeNames() {
        for (const DingMode mode : {DingMode::Sentences, DingMode::Phrases, DingMode::Both}) {
            QCOMPARE(parseDingMode(dingModeName(mode)), mode);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseDingMode("words"));
        QCOMPARE(DingOptions{}.path, std::string("/usr/share/trans/de-en"));
        QCOMPARE(DingOptions{}.mode, DingMode::Sentences);
    }

    void missingFileIsAnError() {
        const std::string path = MOEWB_TEST_DATA_DIR "/corpus/no-such-ding-file";
        std::size_t line = 99;
        const QString message =
            errorOf([&] { readFixture(DingMode::Sentences, nullptr, path); }, &line);
        QVERIFY2(message.startsWith(QString::fromStdString(path) + ": file not found"),
                 qPrintable(message));
        QCOMPARE(line, std::size_t(0));
    }

    void emptyResultIsAnError() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("only-comments").toStdString();
        std::ofstream(path) << "# nur Kommentare\n# und Phrasen\nHaus {n} :: house\n";
        const QString message = errorOf([&] { readFixture(DingMode::Sentences, nullptr, path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path) + ": no sentence pairs found ("),
                 qPrintable(message));
        QCOMPARE(readFixture(DingMode::Phrases, nullptr, path).pairs.size(), std::size_t(1));
    }

    void invalidUtf8NamesTheLine() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("latin1").toStdString();
        std::ofstream(path) << "# Kommentar\nHaus {n} :: house\nT\xFCr {f} :: door\n";
        std::size_t line = 0;
        const QString message = errorOf([&] { readFixture(DingMode::Both, nullptr, path); }, &line);
        QCOMPARE(line, std::size_t(3));
        QVERIFY2(message.startsWith(QString::fromStdString(path) + ":3: invalid UTF-8"),
                 qPrintable(message));
    }

    void overlongLineNamesTheLine() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("long").toStdString();
        std::ofstream(path) << "Haus {n} :: house\n" << std::string(10001, 'a') << " :: b\n";
        const QString message = errorOf([&] { readFixture(DingMode::Both, nullptr, path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path) + ":2: line is longer"),
                 qPrintable(message));
    }

    void cancelledBeforeStart() {
        Feedback feedback;
        feedback.cancel();
        DingOptions options;
        options.path = kFixture;
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, readDingDictionary(options, feedback));
    }

    void realDictionary() {
        const std::string path = DingOptions{}.path;
        if (!QFileInfo::exists(QString::fromStdString(path))) {
            QSKIP(
                "the Ding dictionary /usr/share/trans/de-en is not installed "
                "(Debian package trans-de-en)");
        }
        QElapsedTimer timer;
        timer.start();
        CorpusReadStats sentenceStats;
        const ParallelCorpus sentences = readFixture(DingMode::Sentences, &sentenceStats, path);
        const qint64 sentenceMs = timer.restart();
        const ParallelCorpus phrases = readFixture(DingMode::Phrases, nullptr, path);
        const qint64 phraseMs = timer.elapsed();
        qInfo(
            "%s: %zu lines, %zu sentence pairs (%lld ms), %zu phrase pairs (%lld ms), "
            "%zu lines with mismatched parts",
            path.c_str(), sentenceStats.linesRead, sentences.pairs.size(), sentenceMs,
            phrases.pairs.size(), phraseMs, sentenceStats.skippedPartMismatch);
        QVERIFY(sentenceStats.linesRead > 100000);
        QVERIFY(sentences.pairs.size() > 5000 && sentences.pairs.size() < 200000);
        QVERIFY(phrases.pairs.size() > 200000);
        QVERIFY(phrases.pairs.size() > 5 * sentences.pairs.size());
        QVERIFY(sentenceStats.skippedPartMismatch < sentenceStats.linesRead / 100);
        for (const SentencePair& pair : sentences.pairs) {
            QVERIFY2(isDingSentence(pair.source) && isDingSentence(pair.target),
                     pair.source.c_str());
        }
        for (const SentencePair& pair : phrases.pairs) {
            QVERIFY(!pair.source.empty() && !pair.target.empty());
            QVERIFY2(pair.source.find('{') == std::string::npos, pair.source.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestDingDictionaryReader)
#include "test_DingDictionaryReader.moc"
