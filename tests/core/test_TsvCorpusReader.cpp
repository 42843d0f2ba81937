// Tests readTsvCorpus ("German<TAB>English" per line, plain or .gz) and its errors.
#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/TsvCorpusReader.h"
#include "moewb/util/Feedback.h"

#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <fstream>
#include <functional>

using namespace moewb;

namespace {

const std::string kFixture = MOEWB_TEST_DATA_DIR "/corpus/pairs_small.tsv";

ParallelCorpus read(const std::string& path, CorpusReadStats* stats = nullptr) {
    Feedback feedback;
    return readTsvCorpus(path, feedback, stats);
}

struct Caught {
    std::string file;
    std::size_t line = 0;
    QString message;
};

Caught errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const CorpusError& e) {
        return {e.file(), e.line(), QString::fromStdString(e.what())};
    }
    return {};
}

}  // namespace

class TestTsvCorpusReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void readsPairsAndSkipsBlankLines() {
        CorpusReadStats stats;
        const ParallelCorpus corpus = read(kFixture, &stats);
        const std::vector<SentencePair> expected = {{"Guten Morgen.", "Good morning."},
                                                    {"Wie geht es dir?", "How are you?"},
                                                    {"Danke, gut.", "Fine, thanks."}};
        QCOMPARE(corpus.pairs, expected);
        QCOMPARE(stats.linesRead, std::size_t(4));
        QCOMPARE(stats.skippedEmpty, std::size_t(1));
        QCOMPARE(corpus.description, "tsv:" + kFixture);
    }

    void skipsPairsWithAnEmptySide() {
        write("e.tsv", "Hallo\tHello\n\tnur Englisch\nnur Deutsch\t \r\n");
        CorpusReadStats stats;
        QCOMPARE(read(file("e.tsv"), &stats).pairs,
                 (std::vector<SentencePair>{{"Hallo", "Hello"}}));
        QCOMPARE(stats.skippedEmpty, std::size_t(2));
    }

    void readsGzip() {
        const std::string path = file("pairs.tsv.gz");
        gzFile gz = gzopen(path.c_str(), "wb");
        const std::string text = "Ja\tYes\nNein\tNo\n";
        gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
        gzclose(gz);
        QCOMPARE(read(path).pairs, (std::vector<SentencePair>{{"Ja", "Yes"}, {"Nein", "No"}}));
    }

    void lineWithoutTabNamesFileAndLine() {
        write("notab.tsv", "Ja\tYes\nNein\tNo\nVielleicht maybe\nDoch\tYes\n");
        const Caught caught = errorOf([&] { read(file("notab.tsv")); });
        QCOMPARE(caught.file, file("notab.tsv"));
        QCOMPARE(caught.line, std::size_t(3));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(file("notab.tsv")) +
                                           ":3: expected exactly one tab"),
                 qPrintable(caught.message));
        QVERIFY2(caught.message.contains("found 0"), qPrintable(caught.message));
    }

    void lineWithTwoTabsNamesFileAndLine() {
        write("twotabs.tsv", "Ja\tYes\tOui\n");
        const Caught caught = errorOf([&] { read(file("twotabs.tsv")); });
        QCOMPARE(caught.line, std::size_t(1));
        QVERIFY2(caught.message.contains(":1: expected exactly one tab between German and "
                                         "English, found 2"),
                 qPrintable(caught.message));
    }

    void missingFileIsAnError() {
        const Caught caught = errorOf([&] { read(file("missing.tsv")); });
        QCOMPARE(caught.file, file("missing.tsv"));
        QCOMPARE(caught.line, std::size_t(0));
        QVERIFY(caught.message.startsWith(QString::fromStdString(file("missing.tsv")) +
                                          ": file not found"));
    }

    void emptyCorpusIsAnError() {
        write("empty.tsv", "\n\n");
        const Caught caught = errorOf([&] { read(file("empty.tsv")); });
        QVERIFY2(caught.message.startsWith(QString::fromStdString(file("empty.tsv")) +
                                           ": no sentence pairs found ("),
                 qPrintable(caught.message));
    }

    void invalidUtf8NamesFileAndLine() {
        write("bad.tsv", "Ja\tYes\nT\xFCr\tdoor\n");
        const Caught caught = errorOf([&] { read(file("bad.tsv")); });
        QCOMPARE(caught.line, std::size_t(2));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(file("bad.tsv")) +
                                           ":2: invalid UTF-8"),
                 qPrintable(caught.message));
    }

    void overlongLineNamesFileAndLine() {
        write("long.tsv", "Ja\tYes\nNein\tNo\nx\t" + std::string(10000, 'y') + "\n");
        const Caught caught = errorOf([&] { read(file("long.tsv")); });
        QCOMPARE(caught.line, std::size_t(3));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(file("long.tsv")) +
                                           ":3: line is longer than 10000 bytes"),
                 qPrintable(caught.message));
    }

private:
    std::string file(const char* name) const { return m_dir.filePath(name).toStdString(); }
    void write(const char* name, const std::string& bytes) const {
        std::ofstream(file(name), std::ios::binary) << bytes;
    }

    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestTsvCorpusReader)
#include "test_TsvCorpusReader.moc"
