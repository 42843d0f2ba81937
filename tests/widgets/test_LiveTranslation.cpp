// LiveTranslation: dense and MoE translation of one sentence on the shared model (or the MoE on a
// fine-tuned model beside it), timed in interleaved rounds, the experts recorded per layer and
// token, fixed and dynamic K with their measured compute, and the model never modified (the MoE
// is a plan passed with each call), so other threads may translate on it meanwhile.
#include "widgets/TranslatorTestSupport.h"

#include "LiveTranslation.h"

#include "moewb/moe/MoeLayer.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <set>
#include <thread>
#include <utility>

using namespace moewb::gui;

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

// Cancels at the first check made inside a MoE translation (a plan is current on the calling
// thread only then): a user pressing Cancel in the middle of a MoE run.
class CancelDuringMoe : public Feedback {
public:
    bool isCancelled() const override {
        if (FfnPlanScope::current() != nullptr) {
            m_hit = true;
        }
        return m_hit;
    }
    bool hit() const { return m_hit; }

private:
    mutable std::atomic<bool> m_hit{false};
};

// Holds the MoE translation at its first cancel check inside the MoE run (a plan is current on
// the calling thread only then, or, were the experts installed in the shared model, the model
// has an override) until release().
class HoldDuringMoe : public Feedback {
public:
    explicit HoldDuringMoe(NmtModel& model) : m_model(model) {}
    bool isCancelled() const override {
        const bool inMoe = FfnPlanScope::current() != nullptr || !modelIsDense(m_model);
        if (inMoe && !m_held.exchange(true)) {
            m_holding = true;
            while (!m_released) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            m_holding = false;
        }
        return false;
    }
    bool isHolding() const { return m_holding; }
    void release() { m_released = true; }

private:
    NmtModel& m_model;
    mutable std::atomic<bool> m_held{false};
    mutable std::atomic<bool> m_holding{false};
    std::atomic<bool> m_released{false};
};

}  // namespace

class TestLiveTranslation : public QObject {
    Q_OBJECT

private Q_SLOTS:
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

    void cancellingDuringTheMoeRunLeavesTheModelDense() {
        CancelDuringMoe feedback;
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

    void fixedKCountsItsCompute() {
        const auto result = LiveTranslation::run(requestFor(2), m_feedback);
        QVERIFY(result.moe);
        QCOMPARE(result.threshold, 0.0);
        // 2 of 8 experts plus the similarity router (N·d of the 2·d·d_ff per token): a quarter
        // and a little more, measured over encoder and decoder tokens.
        QVERIFY2(result.compute > 0.25 && result.compute < 0.4,
                 qPrintable(QString::number(result.compute)));
        QCOMPARE(result.expertsPerToken, 2.0);
    }

    void dynamicKTakesFewerExpertsAndLessCompute() {
        LiveTranslationRequest request = requestFor(6);
        request.threshold = 0.3;
        const auto result = LiveTranslation::run(request, m_feedback);
        QVERIFY(result.dense && result.moe);
        QCOMPARE(result.k, 6);
        QCOMPARE(result.threshold, 0.3);
        QVERIFY2(result.compute > 0 && result.compute < 1,
                 qPrintable(QString::number(result.compute)));
        QVERIFY(result.expertsPerToken >= 1 && result.expertsPerToken <= 6);
        // The strip lists what each token ran: 1 … K experts, distinct, no -1 of unused slots.
        const auto& strip = result.strip;
        QCOMPARE(strip.threshold, 0.3);
        QCOMPARE(strip.maxExperts, 6);
        bool fewer = false;
        for (const auto& layer : strip.layers) {
            for (const auto& token : layer) {
                QVERIFY(!token.empty() && token.size() <= 6);
                fewer = fewer || token.size() < 6;
                for (int expert : token) {
                    QVERIFY(expert >= 0 && expert < 8);
                }
                QCOMPARE(std::set<int>(token.begin(), token.end()).size(), token.size());
            }
        }
        QVERIFY(fewer);  // else τ did nothing and this test shows nothing
        QVERIFY(std::abs(strip.meanExperts() - result.expertsPerToken) < 1.5);
        // Less compute than six experts for every token.
        const auto fixed = LiveTranslation::run(requestFor(6), m_feedback);
        QVERIFY(result.compute < fixed.compute);
        LiveTranslationRequest bad = requestFor(6);
        bad.threshold = 1.5;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LiveTranslation::run(bad, m_feedback));
    }

    // No lock any more: while a MoE translation is in the middle of its run (held there by its
    // feedback, so the overlap does not depend on timing), another thread translates on the same
    // model, gets the plain dense output and sees no expert installed in it; then the MoE run
    // finishes with the output it has alone. A model lock would leave the other thread waiting
    // for the held run: it would not finish.
    void translatesWhileAnotherThreadUsesTheModel() {
        const auto alone = LiveTranslation::run(requestFor(2), m_feedback);
        const std::string other = "Zwei Hunde spielen im Schnee.";
        DecodeOptions decode;
        const Translator translator(m_artifacts.model.model);
        const std::string dense = translator.translate({other}, decode, m_feedback).translations[0];

        HoldDuringMoe hold(*m_artifacts.model.model);
        LiveTranslationResult held;
        std::thread moe([&] { held = LiveTranslation::run(requestFor(2), hold); });
        QTRY_VERIFY_WITH_TIMEOUT(hold.isHolding(), 60000);
        auto meanwhile = std::async(std::launch::async, [&] {
            Feedback feedback;
            const bool plainModel = modelIsDense(*m_artifacts.model.model);
            return std::make_pair(plainModel,
                                  translator.translate({other}, decode, feedback).translations[0]);
        });
        const bool finished =
            meanwhile.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
        QVERIFY(hold.isHolding());  // the MoE run was still in the middle all along
        hold.release();
        moe.join();
        QVERIFY2(finished, "a translation waited for the MoE run on another thread");
        const auto [plainModel, text] = meanwhile.get();
        QVERIFY(plainModel);
        QCOMPARE(text, dense);
        QVERIFY(held.moe && held.dense);
        QCOMPARE(held.moe->text, alone.moe->text);
        QCOMPARE(held.dense->text, alone.dense->text);
        QVERIFY(modelIsDense(*m_artifacts.model.model));
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
    Feedback m_feedback;
};

QTEST_GUILESS_MAIN(TestLiveTranslation)
#include "test_LiveTranslation.moc"
