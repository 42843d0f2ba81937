// Tests CorpusSource and loadCorpus: dispatch to the Ding, Moses and TSV readers.
#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/CorpusSource.h"
#include "moewb/util/Feedback.h"

#include <QtTest>

#include <stdexcept>

using namespace moewb;

namespace {

const std::string kData = MOEWB_TEST_DATA_DIR "/corpus/";

}  // namespace

class TestCorpusSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaults() {
        const CorpusSource source;
        QCOMPARE(source.kind, CorpusSource::Kind::Ding);
        QCOMPARE(source.path, std::string("/usr/share/trans/de-en"));
        QCOMPARE(source.dingMode, DingMode::Sentences);
        QCOMPARE(source.describe(), std::string("ding:/usr/share/trans/de-en (sentences)"));
    }

    void loadsDing() {
        CorpusSource source;
        source.path = kData + "ding_small.txt";
        source.dingMode = DingMode::Phrases;
        Feedback feedback;
        CorpusReadStats stats;
        const ParallelCorpus corpus = loadCorpus(source, feedback, &stats);
        QCOMPARE(corpus.pairs.size(), std::size_t(11));
        QCOMPARE(corpus.description, source.describe());
        QCOMPARE(stats.commentLines, std::size_t(2));
        QCOMPARE(feedback.progress(), 1.0);
    }

    void loadsMoses() {
        CorpusSource source;
        source.kind = CorpusSource::Kind::Moses;
        source.sourcePath = kData + "moses_small.de";
        source.targetPath = kData + "moses_small.en";
        Feedback feedback;
        const ParallelCorpus corpus = loadCorpus(source, feedback);
        QCOMPARE(corpus.pairs.size(), std::size_t(3));
        QCOMPARE(corpus.description, source.describe());
    }

    void loadsTsv() {
        CorpusSource source;
        source.kind = CorpusSource::Kind::Tsv;
        source.path = kData + "pairs_small.tsv";
        Feedback feedback;
        const ParallelCorpus corpus = loadCorpus(source, feedback);
        QCOMPARE(corpus.pairs.size(), std::size_t(3));
        QCOMPARE(corpus.description, "tsv:" + source.path);
    }

    void mosesNeedsBothFiles() {
        CorpusSource source;
        source.kind = CorpusSource::Kind::Moses;
        source.sourcePath = kData + "moses_small.de";
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, loadCorpus(source, feedback));
    }

    void errorsComeThrough() {
        CorpusSource source;
        source.kind = CorpusSource::Kind::Tsv;
        source.path = kData + "no-such.tsv";
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(CorpusError, loadCorpus(source, feedback));
    }

    void kindNames() {
        for (const auto kind :
             {CorpusSource::Kind::Ding, CorpusSource::Kind::Moses, CorpusSource::Kind::Tsv}) {
            QCOMPARE(parseCorpusKind(corpusKindName(kind)), kind);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseCorpusKind("csv"));
    }
};

QTEST_APPLESS_MAIN(TestCorpusSource)
#include "test_CorpusSource.moc"
