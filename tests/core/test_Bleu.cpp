#include "moewb/text/Bleu.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <cmath>
#include <fstream>
#include <stdexcept>

using namespace moewb;

namespace {

const std::string kFixtureDir = MOEWB_SHARED_DIR "/fixtures/bleu/";

bool haveFixtures() {
    return std::ifstream(kFixtureDir + "expected.json").good();
}

nlohmann::json loadExpected() {
    std::ifstream in(kFixtureDir + "expected.json");
    return nlohmann::json::parse(in);
}

std::vector<std::string> readLines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lines.push_back(line);
    }
    return lines;
}

// Empty if `actual` matches the golden entry (score to 0.01, bp to 1e-4 when given, counts,
// totals and lengths exactly), else what differs.
std::string compareWithGolden(const BleuScore& actual, const nlohmann::json& golden) {
    std::string diff;
    const double score = golden.at("score").get<double>();
    if (std::abs(actual.score - score) > 0.01) {
        diff += " score " + std::to_string(actual.score) + " != " + std::to_string(score);
    }
    if (golden.contains("bp") && std::abs(actual.bp - golden.at("bp").get<double>()) > 1e-4) {
        diff += " bp " + std::to_string(actual.bp);
    }
    for (int n = 0; n < kBleuMaxOrder; ++n) {
        if (actual.counts[n] != golden.at("counts").at(n).get<int64_t>()) {
            diff += " counts[" + std::to_string(n) + "] " + std::to_string(actual.counts[n]);
        }
        if (actual.totals[n] != golden.at("totals").at(n).get<int64_t>()) {
            diff += " totals[" + std::to_string(n) + "] " + std::to_string(actual.totals[n]);
        }
    }
    if (actual.sysLen != golden.at("sys_len").get<int64_t>()) {
        diff += " sys_len " + std::to_string(actual.sysLen);
    }
    if (actual.refLen != golden.at("ref_len").get<int64_t>()) {
        diff += " ref_len " + std::to_string(actual.refLen);
    }
    return diff;
}

}  // namespace

class TestBleu : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void corpusMatchesSacreBleu() {
        if (!haveFixtures()) {
            QSKIP(
                "../shared/fixtures/bleu not found: golden sacreBLEU values are only in CI's "
                "shared folder");
        }
        const auto hyps = readLines(kFixtureDir + "hyp.txt");
        const auto refs = readLines(kFixtureDir + "ref.txt");
        QCOMPARE(hyps.size(), refs.size());
        const BleuScore score = corpusBleu(hyps, refs);
        const std::string diff = compareWithGolden(score, loadExpected().at("corpus"));
        QVERIFY2(diff.empty(), diff.c_str());
        QCOMPARE(formatBleu(score), std::string("BLEU = 61.69 84.7/64.4/56.2/51.0 (BP = 0.981 "
                                                "ratio = 0.981 hyp_len = 3609 ref_len = 3678)"));
    }

    void sentencesMatchSacreBleu() {
        if (!haveFixtures()) {
            QSKIP(
                "../shared/fixtures/bleu not found: golden sacreBLEU values are only in CI's "
                "shared folder");
        }
        const auto hyps = readLines(kFixtureDir + "hyp.txt");
        const auto refs = readLines(kFixtureDir + "ref.txt");
        const nlohmann::json golden = loadExpected().at("sentence");
        QCOMPARE(hyps.size(), golden.size());
        QCOMPARE(refs.size(), golden.size());
        std::string mismatches;
        int matched = 0;
        for (std::size_t i = 0; i < golden.size(); ++i) {
            const std::string diff = compareWithGolden(sentenceBleu(hyps[i], refs[i]), golden[i]);
            if (diff.empty()) {
                ++matched;
            } else {
                mismatches += "\n  line " + std::to_string(i + 1) + ":" + diff;
            }
        }
        qInfo("%d/%d sentence BLEU entries match", matched, static_cast<int>(golden.size()));
        QVERIFY2(mismatches.empty(), mismatches.c_str());
    }

    void identicalScoresHundred() {
        const std::string text = "The quick brown fox jumps over the lazy dog.";
        QCOMPARE(sentenceBleu(text, text).score, 100.0);
        const BleuScore corpus = corpusBleu({text, "Short one."}, {text, "Short one."});
        QCOMPARE(corpus.score, 100.0);
        QCOMPARE(corpus.bp, 1.0);
    }

    void emptyHypothesisScoresZero() {
        const BleuScore sentence = sentenceBleu("", "a reference sentence");
        QCOMPARE(sentence.score, 0.0);
        QCOMPARE(sentence.sysLen, int64_t{0});
        QCOMPARE(sentence.refLen, int64_t{3});
        QCOMPARE(sentence.bp, 0.0);
        QCOMPARE(corpusBleu({""}, {"a reference"}).score, 0.0);
        QCOMPARE(corpusBleu({}, {}).score, 0.0);
    }

    // Expected scores computed by sacreBLEU's compute_bleu() in Python.
    void smoothsOrdersWithoutMatches() {
        // No 4-gram matches: exp smoothing gives p4 = 100 / (2 * 3).
        const BleuScore s = sentenceBleu("The cat sat on the mat", "The cat is on the mat");
        QCOMPARE(s.counts, (std::array<int64_t, 4>{5, 3, 1, 0}));
        QCOMPARE(s.totals, (std::array<int64_t, 4>{6, 5, 4, 3}));
        QCOMPARE(s.precisions[3], 100.0 / (2.0 * 3.0));
        QVERIFY(std::abs(s.score - 37.99178428257963) < 1e-9);
        QCOMPARE(corpusBleu({"The cat sat on the mat"}, {"The cat is on the mat"}).score, s.score);

        // Two orders without matches halve the smoothed precision again, and clipping counts
        // "the" once.
        const BleuScore t = sentenceBleu("the the the", "the cat");
        QCOMPARE(t.counts, (std::array<int64_t, 4>{1, 0, 0, 0}));
        QCOMPARE(t.precisions[1], 100.0 / (2.0 * 2.0));
        QCOMPARE(t.precisions[2], 100.0 / (4.0 * 1.0));
        QVERIFY(std::abs(t.score - 27.516060407455225) < 1e-9);
    }

    void effectiveOrderOnlyForSentences() {
        // No 3- or 4-grams: sentence BLEU averages orders 1-2, corpus BLEU takes log(0).
        const BleuScore s = sentenceBleu("a test", "a test b");
        QVERIFY(std::abs(s.score - 60.653065971263366) < 1e-9);
        QVERIFY(std::abs(s.bp - std::exp(1.0 - 3.0 / 2.0)) < 1e-12);
        QCOMPARE(corpusBleu({"a test"}, {"a test b"}).score, 0.0);
    }

    void refusesBadInput() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusBleu({"a", "b"}, {"a"}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corpusBleu({"a"}, {""}));
    }

    void formatsLikeSacreBleu() {
        const BleuScore s = sentenceBleu("The cat sat on the mat.", "The cat is on the mat.");
        QCOMPARE(formatBleu(s), std::string("BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = "
                                            "1.000 hyp_len = 7 ref_len = 7)"));
        QCOMPARE(bleuSignature(),
                 std::string("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x-moewb"));
        QCOMPARE(bleuSignature(true),
                 std::string("nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.x-moewb"));
    }
};

QTEST_APPLESS_MAIN(TestBleu)
#include "test_Bleu.moc"
