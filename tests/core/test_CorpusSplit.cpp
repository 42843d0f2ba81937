// Tests the deterministic hash split: stable values, fractions, order independence.
#include "moewb/corpus/CorpusSplit.h"

#include <QtTest>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <tuple>

using namespace moewb;

namespace {

ParallelCorpus syntheticCorpus(int count) {
    ParallelCorpus corpus;
    corpus.description = "synthetic";
    for (int i = 0; i < count; ++i) {
        corpus.pairs.push_back({"Satz Nummer " + std::to_string(i) + ".",
                                "Sentence number " + std::to_string(i) + "."});
    }
    return corpus;
}

}  // namespace

class TestCorpusSplit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hashIsPinned() {
        // Pinned values: the split must be the same on every machine and in every version, or
        // test sets (and the BLEU scores reported on them) silently change. They come from the
        // definition in docs/formats.md ("Splits"): FNV-1a 64 (isthe.com/chongo/tech/comp/fnv)
        // and MurmurHash3's fmix64 finaliser (smhasher), computed outside this code in Python:
        //   M = 2**64 - 1
        //   def fnv1a(b, h=14695981039346656037):
        //       for c in b: h = ((h ^ c) * 1099511628211) & M
        //       return h
        //   def fmix64(h):
        //       h ^= h >> 33; h = h * 0xff51afd7ed558ccd & M
        //       h ^= h >> 33; h = h * 0xc4ceb9fe1a85ec53 & M
        //       return h ^ h >> 33
        //   fmix64(fnv1a((source + "\t" + target).encode("utf-8")))
        // (that fnv1a gives the FNV suite's published vectors: "" -> cbf29ce484222325,
        // "a" -> af63dc4c8601ec8c, "foobar" -> 85944171f73967e8), and u = (hash >> 11) * 2**-53.
        QCOMPARE(pairHash({"Hallo", "Hello"}), std::uint64_t(0x00d25bab1ee94c5cULL));
        QCOMPARE(pairHash({"", ""}), std::uint64_t(0x1b345ef19a32b5fbULL));
        QCOMPARE(pairHash({"Grüße", "Greetings"}), std::uint64_t(0xfb3853b148df5602ULL));
        QCOMPARE(pairUnitValue({"Hallo", "Hello"}), 0.003209809567953248);
        QCOMPARE(pairUnitValue({"", ""}), 0.10626786612028627);
        // u = 0.0032 < 0.02 is test; u = 0.106 is valid once test + valid reach 0.12.
        QCOMPARE(splitOf({"Hallo", "Hello"}, SplitOptions{}), Split::Test);
        QCOMPARE(splitOf({"", ""}, SplitOptions{}), Split::Train);
        SplitOptions wideValid;
        wideValid.validFraction = 0.1;
        QCOMPARE(splitOf({"", ""}, wideValid), Split::Valid);
        QCOMPARE(splitOf({"Hallo", "Hello"}, wideValid), Split::Test);
    }

    void hashSeparatesSourceAndTarget() {
        QVERIFY(pairHash({"ab", "c"}) != pairHash({"a", "bc"}));
        QVERIFY(pairHash({"a", "b"}) != pairHash({"b", "a"}));
    }

    void unitValueIsInRange() {
        for (const SentencePair& pair : syntheticCorpus(1000).pairs) {
            const double u = pairUnitValue(pair);
            QVERIFY(u >= 0.0 && u < 1.0);
        }
    }

    void fractionsWithinTolerance() {
        const ParallelCorpus corpus = syntheticCorpus(5000);
        const CorpusSplits splits = splitCorpus(corpus, SplitOptions{});
        // 2 % of 5000 = 100, standard deviation about 10: allow 3.5 sigma.
        qInfo("train %zu, valid %zu, test %zu", splits.train.pairs.size(),
              splits.valid.pairs.size(), splits.test.pairs.size());
        QVERIFY(std::abs(int(splits.valid.pairs.size()) - 100) <= 35);
        QVERIFY(std::abs(int(splits.test.pairs.size()) - 100) <= 35);
        QCOMPARE(splits.train.pairs.size() + splits.valid.pairs.size() + splits.test.pairs.size(),
                 std::size_t(5000));

        SplitOptions wide;
        wide.validFraction = 0.1;
        wide.testFraction = 0.3;
        const CorpusSplits wideSplits = splitCorpus(corpus, wide);
        QVERIFY(std::abs(int(wideSplits.valid.pairs.size()) - 500) <= 75);
        QVERIFY(std::abs(int(wideSplits.test.pairs.size()) - 1500) <= 120);
    }

    void deterministicAndOrderIndependent() {
        ParallelCorpus corpus = syntheticCorpus(3000);
        const CorpusSplits first = splitCorpus(corpus, SplitOptions{});
        const CorpusSplits second = splitCorpus(corpus, SplitOptions{});
        QCOMPARE(first.test.pairs, second.test.pairs);
        QCOMPARE(first.valid.pairs, second.valid.pairs);
        QCOMPARE(first.train.pairs, second.train.pairs);
        QVERIFY(!first.test.pairs.empty() && !first.valid.pairs.empty());

        // A pair's split depends only on its text (CorpusSplit.h): the shuffled corpus, split
        // again, gives the same three sets, each in the shuffled order.
        std::mt19937 random(7);
        std::shuffle(corpus.pairs.begin(), corpus.pairs.end(), random);
        const CorpusSplits shuffled = splitCorpus(corpus, SplitOptions{});
        auto sorted = [](std::vector<SentencePair> pairs) {
            std::sort(pairs.begin(), pairs.end(), [](const SentencePair& a, const SentencePair& b) {
                return std::tie(a.source, a.target) < std::tie(b.source, b.target);
            });
            return pairs;
        };
        QCOMPARE(sorted(shuffled.test.pairs), sorted(first.test.pairs));
        QCOMPARE(sorted(shuffled.valid.pairs), sorted(first.valid.pairs));
        QCOMPARE(sorted(shuffled.train.pairs), sorted(first.train.pairs));
        QVERIFY(shuffled.test.pairs != first.test.pairs);  // else the shuffle showed nothing
        auto position = [&](const SentencePair& pair) {
            return std::find(corpus.pairs.begin(), corpus.pairs.end(), pair) - corpus.pairs.begin();
        };
        for (std::size_t i = 1; i < shuffled.test.pairs.size(); ++i) {
            QVERIFY(position(shuffled.test.pairs[i - 1]) < position(shuffled.test.pairs[i]));
        }
    }

    void samePairSameSplit() {
        const SentencePair pair{"Der Hund bellt.", "The dog barks."};
        ParallelCorpus corpus = syntheticCorpus(200);
        corpus.pairs.insert(corpus.pairs.begin() + 17, pair);
        corpus.pairs.push_back(pair);
        const CorpusSplits splits = splitCorpus(corpus, SplitOptions{});
        const Split split = splitOf(pair, SplitOptions{});
        const auto& bucket = split == Split::Test    ? splits.test.pairs
                             : split == Split::Valid ? splits.valid.pairs
                                                     : splits.train.pairs;
        QCOMPARE(std::count(bucket.begin(), bucket.end(), pair), 2L);
    }

    void keepsOrderAndDescribes() {
        const ParallelCorpus corpus = syntheticCorpus(2000);
        const CorpusSplits splits = splitCorpus(corpus, SplitOptions{});
        QCOMPARE(splits.test.description, std::string("synthetic [test]"));
        QCOMPARE(splits.valid.description, std::string("synthetic [valid]"));
        QCOMPARE(splits.train.description, std::string("synthetic [train]"));
        auto index = [&](const SentencePair& pair) {
            return std::find(corpus.pairs.begin(), corpus.pairs.end(), pair) - corpus.pairs.begin();
        };
        for (std::size_t i = 1; i < splits.train.pairs.size(); ++i) {
            QVERIFY(index(splits.train.pairs[i - 1]) < index(splits.train.pairs[i]));
        }
    }

    void testSetDoesNotDependOnValidFraction() {
        const ParallelCorpus corpus = syntheticCorpus(3000);
        SplitOptions a;
        SplitOptions b;
        b.validFraction = 0.2;
        QCOMPARE(splitCorpus(corpus, a).test.pairs, splitCorpus(corpus, b).test.pairs);
    }

    void extremeFractions() {
        const ParallelCorpus corpus = syntheticCorpus(300);
        SplitOptions none;
        none.validFraction = 0.0;
        none.testFraction = 0.0;
        QCOMPARE(splitCorpus(corpus, none).train.pairs.size(), std::size_t(300));
        SplitOptions allTest;
        allTest.validFraction = 0.0;
        allTest.testFraction = 1.0;
        QCOMPARE(splitCorpus(corpus, allTest).test.pairs.size(), std::size_t(300));
    }

    void invalidFractionsThrow_data() {
        QTest::addColumn<double>("valid");
        QTest::addColumn<double>("test");
        QTest::newRow("negative") << -0.1 << 0.02;
        QTest::newRow("above one") << 0.02 << 1.5;
        QTest::newRow("sum above one") << 0.6 << 0.6;
        QTest::newRow("nan") << std::nan("") << 0.02;
    }

    void invalidFractionsThrow() {
        QFETCH(double, valid);
        QFETCH(double, test);
        SplitOptions options;
        options.validFraction = valid;
        options.testFraction = test;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validateSplitOptions(options));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, splitCorpus(syntheticCorpus(3), options));
    }

    void defaultsAndNames() {
        QCOMPARE(SplitOptions{}.validFraction, 0.02);
        QCOMPARE(SplitOptions{}.testFraction, 0.02);
        QCOMPARE(std::string(splitName(Split::Train)), std::string("train"));
        QCOMPARE(std::string(splitName(Split::Valid)), std::string("valid"));
        QCOMPARE(std::string(splitName(Split::Test)), std::string("test"));
    }
};

QTEST_APPLESS_MAIN(TestCorpusSplit)
#include "test_CorpusSplit.moc"
