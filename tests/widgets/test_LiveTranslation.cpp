// LiveTranslation: dense and MoE translation of one sentence on the shared model (or the MoE on a
// fine-tuned model beside it), timed in
// interleaved rounds, the experts recorded per layer and token, and the model left dense whatever
// happens.
#include "widgets/TranslatorTestSupport.h"

#include "LiveTranslation.h"

#include "moewb/moe/MoeLayer.h"

#include <QtTest>

#include <atomic>
#include <cmath>
#include <thread>

using namespace moewb;

namespace {

bool modelIsDense(NmtModel& model) {
    for (const auto& ffn : model.transformer()->feedForwards()) {
        if (ffn->override()) {
            return false;
        }
    }
    return true;
}

// Cancels at the first check made while experts are installed: a user pressing Cancel in the
// middle of a MoE run.
class CancelWhileInstalled : public Feedback {
public:
    explicit CancelWhileInstalled(NmtModel& model) : m_model(model) {}
    bool isCancelled() const override {
        if (!modelIsDense(m_model)) {
            m_hit = true;
        }
        return m_hit;
    }
    bool hit() const { return m_hit; }

private:
    NmtModel& m_model;
    mutable std::atomic<bool> m_hit{false};
};

}  // namespace

class TestLiveTranslation : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        torch::set_num_threads(1);
        m_artifacts = test::makeMoeArtifacts(8);
    }

    void allExpertsGiveTheDenseTranslation() {
        LiveTranslationRequest request = requestFor(8);
        Feedback feedback;
        const auto result = LiveTranslation::run(request, feedback);
        QVERIFY(result.dense && result.moe);
        QVERIFY(!result.dense->text.empty());
        QCOMPARE(result.moe->text, result.dense->text);
        QVERIFY(result.dense->seconds > 0 && result.moe->seconds > 0);
        QVERIFY(result.dense->repetitions >= 1 && result.dense->repetitions <= 5);
        // Both were timed in the same rounds.
        QCOMPARE(result.moe->repetitions, result.dense->repetitions);
        QVERIFY(result.speedup > 0 && std::isfinite(result.speedup));
        QVERIFY(result.speedupSpread >= 0);
        // The same output, so the same tokens: per token and per sentence agree.
        QVERIFY(result.dense->targetTokens > 0);
        QCOMPARE(result.moe->targetTokens, result.dense->targetTokens);
        QCOMPARE(result.tokenSpeedup, result.speedup);
        QCOMPARE(result.tokenSpeedupSpread, result.speedupSpread);
        QCOMPARE(result.k, 8);
        QVERIFY(modelIsDense(*m_artifacts.model.model));
        // At K = N every expert is listed for every token.
        for (const auto& layer : result.strip.layers) {
            for (const auto& token : layer) {
                QCOMPARE(token.size(), std::size_t(8));
            }
        }
    }

    void recordsTheExpertsOfEveryLayerAndToken() {
        LiveTranslationRequest request = requestFor(2);
        request.dense = false;  // no matter: with experts the dense model is timed alongside
        Feedback feedback;
        const auto result = LiveTranslation::run(request, feedback);
        QVERIFY(result.dense);
        QVERIFY(result.moe);
        QVERIFY(result.tokenSpeedup > 0);
        const auto& strip = result.strip;
        QCOMPARE(strip.numExperts, 8);
        QCOMPARE(strip.encoderLayers, 2);
        QCOMPARE(strip.layers.size(), std::size_t(4));
        // "Ein Mann fährt Fahrrad." in pieces, then EOS.
        const auto pieces = m_artifacts.model.model->tokenizer().encode(request.source);
        QCOMPARE(strip.sourceTokens.size(), pieces.size() + 1);
        QCOMPARE(strip.sourceTokens.back(), std::string("</s>"));
        QVERIFY(!strip.targetTokens.empty());
        for (std::size_t l = 0; l < strip.layers.size(); ++l) {
            const auto& side = l < 2 ? strip.sourceTokens : strip.targetTokens;
            QCOMPARE(strip.layers[l].size(), side.size());
            for (const auto& token : strip.layers[l]) {
                QCOMPARE(token.size(), std::size_t(2));
                QVERIFY(token[0] != token[1]);
                QVERIFY(token[0] >= 0 && token[0] < 8);
            }
        }
    }

    void cancellingWhileExpertsAreInstalledLeavesTheModelDense() {
        CancelWhileInstalled feedback(*m_artifacts.model.model);
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, LiveTranslation::run(requestFor(2), feedback));
        QVERIFY(feedback.hit());
        QVERIFY(modelIsDense(*m_artifacts.model.model));
    }

    void denseOnlyWithoutExperts() {
        LiveTranslationRequest request = requestFor(2);
        request.experts.clear();
        request.maxRepetitions = 2;
        Feedback feedback;
        auto result = LiveTranslation::run(request, feedback);
        QVERIFY(result.dense && !result.moe);
        QVERIFY(result.dense->repetitions >= 1 && result.dense->repetitions <= 2);
        QCOMPARE(result.speedup, 0.0);
        QVERIFY(result.strip.layers.empty());
        request.dense = false;  // the caller has it cached: nothing to do
        result = LiveTranslation::run(request, feedback);
        QVERIFY(!result.dense && !result.moe);
    }

    void routersOfAnotherShapeAreRefused() {
        LiveTranslationRequest request = requestFor(2);
        auto broken = std::make_shared<RouterSet>(*m_artifacts.routers.front().set);
        broken->layers.resize(1);
        request.routers = broken;
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LiveTranslation::run(request, feedback));
        request = requestFor(9);  // more experts than the partition has
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LiveTranslation::run(request, feedback));
        QVERIFY(modelIsDense(*m_artifacts.model.model));
    }

    void aFineTunedModelRunsItsOwnExperts() {
        // Another model of the same shape and tokenizer stands in for a fine-tuned one: the MoE
        // side must run it (with experts from its weights), the dense side the project's model.
        ModelHandle tuned;
        tuned.model = test::tinyModel(11);
        tuned.mutex = std::make_shared<std::mutex>();
        const auto experts = buildExperts(*tuned.model, *m_artifacts.partitions.front().set);
        Feedback feedback;
        const auto inputs = collectFfnInputs(*tuned.model, test::sixteenPairs(), 100000, feedback);
        RouterTrainingOptions options;
        options.kind = "oracle";
        LiveTranslationRequest request = requestFor(8);  // K = N: the tuned model, densely
        request.experts = experts;
        request.routers =
            std::make_shared<RouterSet>(trainRouters(experts, inputs, options, feedback));
        request.moeModel = tuned;
        const auto result = LiveTranslation::run(request, feedback);
        QVERIFY(result.dense && result.moe);
        DecodeOptions decode;
        decode.beamSize = 1;
        decode.batchSize = 1;
        const auto own = Translator(tuned.model).translate({request.source}, decode, feedback);
        const auto base =
            Translator(m_artifacts.model.model).translate({request.source}, decode, feedback);
        QVERIFY(own.translations[0] != base.translations[0]);  // else this test shows nothing
        QCOMPARE(result.moe->text, own.translations[0]);
        QCOMPARE(result.dense->text, base.translations[0]);
        QVERIFY(modelIsDense(*tuned.model));
        QVERIFY(modelIsDense(*m_artifacts.model.model));
    }

    void waitingForABusyModelCanBeCancelled() {
        std::unique_lock<std::mutex> busy(*m_artifacts.model.mutex);  // another job holds it
        Feedback feedback;
        std::atomic<bool> cancelled{false};
        std::thread worker([&] {
            try {
                LiveTranslation::run(requestFor(2), feedback);
            } catch (const OperationCancelled&) {
                cancelled = true;
            }
        });
        QTest::qWait(50);
        QVERIFY(!cancelled);
        feedback.cancel();
        worker.join();
        QVERIFY(cancelled);
    }

private:
    LiveTranslationRequest requestFor(int k) const {
        LiveTranslationRequest request;
        request.model = m_artifacts.model;
        request.source = "Ein Mann fährt Fahrrad.";
        request.experts = m_artifacts.partitions.front().experts;
        request.routers = m_artifacts.routers.back().set;  // similarity
        request.k = k;
        return request;
    }

    test::MoeArtifacts m_artifacts;
};

QTEST_GUILESS_MAIN(TestLiveTranslation)
#include "test_LiveTranslation.moc"
