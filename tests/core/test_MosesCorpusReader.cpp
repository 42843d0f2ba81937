// Tests readMosesCorpus (line-aligned .de/.en files, plain or .gz) and writeMosesCorpus.
#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/util/Feedback.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <fstream>
#include <functional>
#include <stdexcept>

using namespace moewb;

namespace {

const std::string kSource = MOEWB_TEST_DATA_DIR "/corpus/moses_small.de";
const std::string kTarget = MOEWB_TEST_DATA_DIR "/corpus/moses_small.en";

ParallelCorpus read(const std::string& source, const std::string& target,
                    CorpusReadStats* stats = nullptr) {
    Feedback feedback;
    return readMosesCorpus(source, target, feedback, stats);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

void writeGzip(const std::string& path, const std::string& bytes) {
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
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

class TestMosesCorpusReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void readsAlignedFilesAndSkipsEmptyLines() {
        CorpusReadStats stats;
        const ParallelCorpus corpus = read(kSource, kTarget, &stats);
        const std::vector<SentencePair> expected = {{"Guten Morgen.", "Good morning."},
                                                    {"Wie geht es dir?", "How are you?"},
                                                    {"Danke, gut.", "Fine, thanks."}};
        QCOMPARE(corpus.pairs, expected);
        QCOMPARE(stats.linesRead, std::size_t(6));
        QCOMPARE(stats.skippedEmpty, std::size_t(3));
        QCOMPARE(corpus.description, "moses:" + kSource + "+" + kTarget);
    }

    // Test sets keep every line pair, so outputs stay line-aligned with the input files.
    void keepsPairsWithAnEmptySideWhenAsked() {
        CorpusReadStats stats;
        Feedback feedback;
        const ParallelCorpus corpus =
            readMosesCorpus(kSource, kTarget, feedback, &stats, EmptySides::Keep);
        QCOMPARE(corpus.pairs.size(), std::size_t(6));
        QCOMPARE(stats.skippedEmpty, std::size_t(3));
        std::size_t empty = 0;
        for (const auto& pair : corpus.pairs) {
            empty += pair.source.empty() || pair.target.empty() ? 1 : 0;
        }
        QCOMPARE(empty, std::size_t(3));
        QCOMPARE(corpus.pairs[0], read(kSource, kTarget).pairs[0]);
    }

    void readsGzipAndMixedCompression() {
        const std::string source = file("train.de.gz");
        writeGzip(source, slurp(kSource));
        QCOMPARE(read(source, kTarget).pairs, read(kSource, kTarget).pairs);
        const std::string target = file("train.en.gz");
        writeGzip(target, slurp(kTarget));
        QCOMPARE(read(source, target).pairs, read(kSource, kTarget).pairs);
    }

    void trimsSurroundingSpaces() {
        write("a.de", "  Hallo Welt.  \r\n");
        write("a.en", "\tHello world.\n");
        QCOMPARE(read(file("a.de"), file("a.en")).pairs,
                 (std::vector<SentencePair>{{"Hallo Welt.", "Hello world."}}));
    }

    void unequalLineCountsNameBothFilesAndCounts() {
        write("u.de", "eins\nzwei\ndrei\nvier\n");
        write("u.en", "one\ntwo\nthree\n");
        Caught caught = errorOf([&] { read(file("u.de"), file("u.en")); });
        QCOMPARE(caught.file, file("u.de"));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(file("u.de")) + ": has 4 lines"),
                 qPrintable(caught.message));
        QVERIFY2(caught.message.contains(QString::fromStdString(file("u.en")) + " has 3"),
                 qPrintable(caught.message));
        // And the other way round.
        caught = errorOf([&] { read(file("u.en"), file("u.de")); });
        QVERIFY2(caught.message.contains("has 3 lines but " + QString::fromStdString(file("u.de")) +
                                         " has 4"),
                 qPrintable(caught.message));
    }

    void missingFilesAreErrors() {
        const std::string missing = file("missing.en");
        Caught caught = errorOf([&] { read(kSource, missing); });
        QCOMPARE(caught.file, missing);
        QVERIFY2(caught.message.startsWith(QString::fromStdString(missing) + ": file not found"),
                 qPrintable(caught.message));
        caught = errorOf([&] { read(file("missing.de"), kTarget); });
        QCOMPARE(caught.file, file("missing.de"));
    }

    void emptyCorpusIsAnError() {
        write("e.de", "");
        write("e.en", "");
        Caught caught = errorOf([&] { read(file("e.de"), file("e.en")); });
        QVERIFY2(caught.message.contains("no sentence pairs found"), qPrintable(caught.message));
        QVERIFY(caught.message.startsWith(QString::fromStdString(file("e.de"))));
        write("blank.de", "\n \n");
        write("blank.en", "x\ny\n");
        caught = errorOf([&] { read(file("blank.de"), file("blank.en")); });
        QVERIFY2(caught.message.contains("no sentence pairs found"), qPrintable(caught.message));
    }

    void invalidUtf8NamesFileAndLine() {
        write("v.de", "eins\nzwei\ndrei\n");
        write("v.en", "one\ntw\xC3\n");
        const Caught caught = errorOf([&] { read(file("v.de"), file("v.en")); });
        QCOMPARE(caught.file, file("v.en"));
        QCOMPARE(caught.line, std::size_t(2));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(file("v.en")) + ":2: invalid"),
                 qPrintable(caught.message));
    }

    void overlongLineNamesFileAndLine() {
        write("l.de", "eins\n" + std::string(20000, 'z') + "\n");
        write("l.en", "one\ntwo\n");
        const Caught caught = errorOf([&] { read(file("l.de"), file("l.en")); });
        QCOMPARE(caught.line, std::size_t(2));
        QVERIFY2(caught.message.startsWith(QString::fromStdString(file("l.de")) + ":2: line is"),
                 qPrintable(caught.message));
    }

    void cancelled() {
        Feedback feedback;
        feedback.cancel();
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, readMosesCorpus(kSource, kTarget, feedback));
    }

    void writeAndReadBack() {
        ParallelCorpus corpus;
        corpus.pairs = {{"Grüße aus Köln.", "Greetings from Cologne."}, {"Ja.", "Yes."}};
        const std::string prefix = file("out/train");
        QVERIFY(QDir().mkpath(m_dir.filePath("out")));
        writeMosesCorpus(corpus, prefix);
        QCOMPARE(slurp(prefix + ".de"), std::string("Grüße aus Köln.\nJa.\n"));
        QCOMPARE(slurp(prefix + ".en"), std::string("Greetings from Cologne.\nYes.\n"));
        QCOMPARE(read(prefix + ".de", prefix + ".en").pairs, corpus.pairs);
        // Overwriting replaces the files and leaves no temporary files behind.
        corpus.pairs.pop_back();
        writeMosesCorpus(corpus, prefix);
        QCOMPARE(slurp(prefix + ".en"), std::string("Greetings from Cologne.\n"));
        QCOMPARE(QDir(m_dir.filePath("out")).entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    void writeRejectsLineBreaks() {
        ParallelCorpus corpus;
        corpus.pairs = {{"zwei\nZeilen", "two lines"}};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writeMosesCorpus(corpus, file("broken")));
        QVERIFY(!QFile::exists(m_dir.filePath("broken.de")));
    }

private:
    std::string file(const char* name) const { return m_dir.filePath(name).toStdString(); }
    void write(const char* name, const std::string& bytes) const {
        std::ofstream(file(name), std::ios::binary) << bytes;
    }

    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestMosesCorpusReader)
#include "test_MosesCorpusReader.moc"
