#include "NmtTestSupport.h"

#include "moewb/moe/Profiler.h"

#include <QtTest>

using namespace moewb;

namespace {
ProfileResult profile(NmtModel& model, const std::vector<SentencePair>& pairs, int batchTokens) {
    Feedback feedback;
    ProfileOptions options;
    options.maxBatchTokens = batchTokens;
    return profileModel(model, pairs, options, feedback);
}
}  // namespace

class TestProfiler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void countsAreConsistent() {
        auto model = test::tinyModel();
        const auto result = profile(*model, test::sixteenPairs(), 400);
        QCOMPARE(result.layers.size(), std::size_t(4));
        QCOMPARE(result.layers[0].name, std::string("encoder0"));
        QCOMPARE(result.layers[3].name, std::string("decoder1"));
        QCOMPARE(result.sentences, int64_t(16));
        for (const auto& layer : result.layers) {
            const bool encoder = layer.name.rfind("encoder", 0) == 0;
            QCOMPARE(layer.tokens, encoder ? result.sourceTokens : result.targetTokens);
            QVERIFY(layer.sparsity() > 0.0 && layer.sparsity() < 1.0);
            for (int i = 0; i < layer.dFf; ++i) {
                QCOMPARE(layer.coActivationAt(i, i), layer.activations[i]);
                QVERIFY(layer.activations[i] <= layer.tokens);
                for (int j = 0; j < i; ++j) {
                    QCOMPARE(layer.coActivationAt(i, j), layer.coActivationAt(j, i));
                    QVERIFY(layer.coActivationAt(i, j) <=
                            std::min(layer.activations[i], layer.activations[j]));
                }
            }
        }
    }

    void paddingIsNotCounted() {
        auto model = test::tinyModel();
        // One sentence per batch (no padding) against several per batch (padding): same counts.
        const auto alone = profile(*model, test::sixteenPairs(), 1);
        const auto batched = profile(*model, test::sixteenPairs(), 400);
        QCOMPARE(batched.sourceTokens, alone.sourceTokens);
        for (std::size_t l = 0; l < alone.layers.size(); ++l) {
            QCOMPARE(batched.layers[l].tokens, alone.layers[l].tokens);
            int64_t differences = 0;
            for (std::size_t i = 0; i < alone.layers[l].activations.size(); ++i) {
                differences +=
                    std::abs(batched.layers[l].activations[i] - alone.layers[l].activations[i]);
            }
            // Batched and single runs differ only by float rounding at h ≈ 0.
            QVERIFY(differences <= 2);
        }
    }

    void shardsMergeToTheWhole() {
        auto model = test::tinyModel();
        auto pairs = test::sixteenPairs();
        const std::vector<SentencePair> first(pairs.begin(), pairs.begin() + 7);
        const std::vector<SentencePair> second(pairs.begin() + 7, pairs.end());
        auto merged = profile(*model, first, 1);
        merged.merge(profile(*model, second, 1));
        const auto whole = profile(*model, pairs, 1);
        QCOMPARE(merged.sentences, whole.sentences);
        QCOMPARE(merged.targetTokens, whole.targetTokens);
        for (std::size_t l = 0; l < whole.layers.size(); ++l) {
            QCOMPARE(merged.layers[l].tokens, whole.layers[l].tokens);
            QVERIFY(merged.layers[l].activations == whole.layers[l].activations);
            QVERIFY(merged.layers[l].coActivation == whole.layers[l].coActivation);
        }
    }

    void budgetLimitsTokensAndModelIsRestored() {
        auto model = test::tinyModel();
        Feedback feedback;
        ProfileOptions options;
        options.tokenBudget = 40;
        const auto result = profileModel(*model, test::sixteenPairs(), options, feedback);
        QVERIFY(result.sourceTokens + result.targetTokens < 40 + 60);
        QVERIFY(result.sentences < 16);
        for (const auto& ffn : model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());
        }
    }

    void cancelThrows() {
        auto model = test::tinyModel();
        Feedback feedback;
        feedback.cancel();
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, profileModel(*model, test::sixteenPairs(),
                                                                  ProfileOptions{}, feedback));
        for (const auto& ffn : model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());
        }
    }
};

QTEST_APPLESS_MAIN(TestProfiler)
#include "test_Profiler.moc"
