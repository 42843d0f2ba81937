#include "NmtTestSupport.h"

#include "moewb/moe/ComputeEstimate.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/nmt/Translator.h"

#include <QtTest>

#include <atomic>
#include <numeric>
#include <thread>

using namespace moewb;

namespace {

std::vector<std::shared_ptr<MoeLayer>> oracleLayers(NmtModel& model, int numExperts, int k) {
    std::vector<std::shared_ptr<MoeLayer>> layers;
    auto router = std::make_shared<OracleRouter>();
    for (auto& ffn : model.transformer()->feedForwards()) {
        std::vector<int> order(static_cast<std::size_t>(ffn->w1.size(0)));
        std::iota(order.rbegin(), order.rend(), 0);  // reversed: a real permutation
        auto experts = std::make_shared<ExpertFfn>(*ffn, order, numExperts);
        layers.push_back(std::make_shared<MoeLayer>(experts, router, k));
    }
    return layers;
}

std::vector<std::string> sources() {
    std::vector<std::string> out;
    for (const auto& p : test::sixteenPairs()) {
        out.push_back(p.source);
    }
    return out;
}

}  // namespace

class TestMoeLayer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void switchesBetweenDenseAndMoeWithoutReloading() {
        auto model = test::tinyModel();
        Translator translator(model);
        Feedback feedback;
        for (int beam : {1, 3}) {
            DecodeOptions options;
            options.beamSize = beam;
            options.maxLength = 10;
            const auto dense = translator.translate(sources(), options, feedback).translations;
            auto layers = oracleLayers(*model, 8, 8);
            installMoe(model->transformer(), layers);
            QCOMPARE(translator.translate(sources(), options, feedback).translations, dense);
            for (auto& layer : layers) {
                layer->setK(1);
            }
            const auto sparse = translator.translate(sources(), options, feedback).translations;
            QVERIFY(sparse != dense);  // one of eight experts per token changes something
            QVERIFY(layers[0]->seconds() > 0);
            removeMoe(model->transformer());
            QCOMPARE(translator.translate(sources(), options, feedback).translations, dense);
        }
    }

    void perLayerKIsIndependent() {
        auto model = test::tinyModel();
        auto layers = oracleLayers(*model, 8, 4);
        layers[0]->setK(2);
        QCOMPARE(layers[0]->k(), 2);
        QCOMPARE(layers[3]->k(), 4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, layers[1]->setK(9));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, layers[1]->setK(0));
        std::vector<std::shared_ptr<MoeLayer>> tooFew(layers.begin(), layers.begin() + 2);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, installMoe(model->transformer(), tooFew));
    }

    void recordsTheChosenExpertsOfEveryCall() {
        auto model = test::tinyModel();
        auto layers = oracleLayers(*model, 8, 3);
        installMoe(model->transformer(), layers);
        layers[0]->setRecording(true);
        Translator translator(model);
        Feedback feedback;
        DecodeOptions options;
        options.maxLength = 6;
        translator.translate({sources().front()}, options, feedback);
        const auto record = layers[0]->takeRecording();
        QCOMPARE(record.size(), std::size_t(1));  // encoder layer 0: one call per sentence
        QCOMPARE(record[0].size(1), 3);
        QVERIFY(record[0].size(0) >= 2);  // the sentence's tokens plus </s>
        // The chosen experts are the oracle's top 3, all different.
        auto sorted = std::get<0>(record[0].sort(1));
        QVERIFY((sorted.select(1, 1) > sorted.select(1, 0)).all().item<bool>());
        QVERIFY(layers[0]->takeRecording().empty());
        QVERIFY(layers[1]->takeRecording().empty());  // not recording
        removeMoe(model->transformer());
    }

    // The hash router needs the token ids the Transformer passes down: greedy and beam search
    // both run, deterministically, and every decoder step routes the token it was fed.
    void hashRouterTranslatesWithTokenIds() {
        auto model = test::tinyModel();
        std::vector<std::shared_ptr<MoeLayer>> layers;
        uint64_t seed = 5;
        for (auto& ffn : model->transformer()->feedForwards()) {
            std::vector<int> order(static_cast<std::size_t>(ffn->w1.size(0)));
            std::iota(order.begin(), order.end(), 0);
            auto experts = std::make_shared<ExpertFfn>(*ffn, order, 8);
            layers.push_back(
                std::make_shared<MoeLayer>(experts, std::make_shared<HashRouter>(seed++, 8), 2));
        }
        installMoe(model->transformer(), layers);
        Translator translator(model);
        Feedback feedback;
        for (int beam : {1, 3}) {
            DecodeOptions options;
            options.beamSize = beam;
            options.maxLength = 8;
            const auto a = translator.translate(sources(), options, feedback).translations;
            const auto b = translator.translate(sources(), options, feedback).translations;
            QCOMPARE(a.size(), sources().size());
            QCOMPARE(a, b);
        }
        // Greedy, one sentence: decoder layer 0 is called once per step with the fed token.
        layers[2]->setRecording(true);
        DecodeOptions greedy;
        greedy.maxLength = 6;
        const auto result = translator.translate({sources().front()}, greedy, feedback);
        const auto record = layers[2]->takeRecording();
        std::vector<int64_t> fed = {SentencePieceModel::kBosId};
        for (int token : result.hypotheses.at(0).tokens) {
            fed.push_back(token);
        }
        QVERIFY(record.size() >= 2);
        QVERIFY(record.size() <= fed.size());
        const auto& router = layers[2]->router();
        for (std::size_t step = 0; step < record.size(); ++step) {
            const auto ids = torch::tensor({fed[step]}, torch::kLong);
            const auto expected =
                topExperts(router.scores(torch::zeros({1, 32}), layers[2]->experts(), ids), 2);
            QVERIFY(torch::equal(record[step], expected));
        }
        removeMoe(model->transformer());
    }

    // The compute count (docs/moe-quality.md, "Compute"), counted by hand: d = 32, d_ff = 64,
    // N = 4 experts of m = 16, the similarity router costs N·d = 128 multiply-adds a token; 5
    // tokens at K = 2 run 2·d·m·K = 2048 expert multiply-adds each (W1 and W2), dense
    // 2·d·d_ff = 4096.
    void computeFractionMatchesAHandCount() {
        auto model = test::tinyModel();
        auto& ffn = *model->transformer()->feedForwards()[0];
        std::vector<int> order(64);
        std::iota(order.begin(), order.end(), 0);
        auto experts = std::make_shared<ExpertFfn>(ffn, order, 4);
        auto router = std::make_shared<SimilarityRouter>(*experts);
        MoeLayer layer(experts, router, 2);
        torch::NoGradGuard noGrad;
        layer.forward(ffn, torch::randn({5, 32}), torch::Tensor());
        auto count = layer.computeCount();
        QCOMPARE(count.tokens, int64_t(5));
        QCOMPARE(count.expertSlots, int64_t(10));
        QCOMPARE(count.macs, 5.0 * (2048 + 128));
        QCOMPARE(count.denseMacs, 5.0 * 4096);
        QCOMPARE(count.fraction(), 2176.0 / 4096.0);
        // K = N is the dense FFN: no routing is paid, the fraction is exactly 1.
        layer.resetComputeCount();
        layer.setK(4);
        layer.forward(ffn, torch::randn({3, 32}), torch::Tensor());
        QCOMPARE(layer.computeCount().fraction(), 1.0);
        // Several layers are weighted by their tokens.
        MoeLayer other(experts, router, 1);
        other.forward(ffn, torch::randn({1, 32}), torch::Tensor());
        const auto total = totalCompute({std::make_shared<MoeLayer>(experts, router, 4)});
        QCOMPARE(total.tokens, int64_t(0));
        QCOMPARE(total.fraction(), 1.0);
        MoeCompute sum = layer.computeCount();
        sum += other.computeCount();
        QCOMPARE(sum.fraction(), (3 * 4096.0 + (1024 + 128)) / (4 * 4096.0));
    }

    // The compute a fixed K will cost, before anything runs, counted by hand: 16 shared neurons
    // and 4 experts of 12 (d_ff 64, d 32). K/N alone would say 25 % at K = 1; the shared neurons
    // make it (16 + 12) / 64 = 43.75 %, and a similarity router adds N·d = 128 of 2·32·64 = 4096
    // multiply-adds a token (3.125 %). It agrees with what MoeLayer counts once tokens ran.
    void plannedComputeCountsSharedNeuronsAndTheRouter() {
        auto model = test::tinyModel();
        auto& ffn = *model->transformer()->feedForwards()[0];
        std::vector<int> order(64);
        std::iota(order.begin(), order.end(), 0);
        auto experts = std::make_shared<ExpertFfn>(ffn, order, 4, 16);
        QCOMPARE(experts->expertSize(), 12);
        std::shared_ptr<Router> router = std::make_shared<SimilarityRouter>(*experts);
        QCOMPARE(plannedComputeFraction({experts}, {}, 1), 0.4375);
        QCOMPARE(plannedComputeFraction({experts}, {router}, 1), 0.4375 + 0.03125);
        QCOMPARE(plannedComputeFraction({experts}, {router}, 3), (16 + 36) / 64.0 + 0.03125);
        QCOMPARE(plannedComputeFraction({experts}, {router}, 4), 1.0);  // dense, no router
        QCOMPARE(plannedComputeFraction({experts, experts}, {router, router}, 0), 0.46875);
        MoeLayer layer(experts, router, 1);
        torch::NoGradGuard noGrad;
        layer.forward(ffn, torch::randn({7, 32}), torch::Tensor());
        QCOMPARE(layer.computeCount().fraction(), 0.46875);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, plannedComputeFraction({}, {}, 1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 plannedComputeFraction({experts, experts}, {router}, 1));
    }

    // Dynamic K: each token takes the fewest experts whose oracle mass shares reach τ, at most
    // K, and the output is exactly the FFN over those experts.
    void dynamicKTakesTheFewestExpertsReachingTheThreshold() {
        auto model = test::tinyModel();
        auto& ffn = *model->transformer()->feedForwards()[0];
        std::vector<int> order(64);
        std::iota(order.begin(), order.end(), 0);
        auto experts = std::make_shared<ExpertFfn>(ffn, order, 4);
        auto router = std::make_shared<OracleRouter>();
        MoeLayer layer(experts, router, 3);
        torch::NoGradGuard noGrad;
        torch::manual_seed(3);
        const auto x = torch::randn({12, 32});
        const double tau = 0.6;
        torch::Tensor chosen;
        const auto out = layer.compute(x, torch::Tensor(), 3, &chosen, tau);
        const auto scores = experts->oracleScores(x);
        int64_t slotCount = 0;
        for (int64_t r = 0; r < x.size(0); ++r) {
            auto s = scores[r];
            const auto shares = s / s.sum();
            const auto sorted = std::get<0>(shares.sort(0, true));
            int expected = 1;
            double mass = sorted[0].item<double>();
            while (expected < 3 && mass < tau) {
                mass += sorted[expected].item<double>();
                ++expected;
            }
            int used = 0;
            for (int j = 0; j < 3; ++j) {
                used += chosen[r][j].item<int64_t>() >= 0 ? 1 : 0;
            }
            QCOMPARE(used, expected);
            slotCount += used;
            const auto picked = chosen[r].narrow(0, 0, used).unsqueeze(0);
            const auto reference =
                experts->forward(x[r].unsqueeze(0), picked, ExpertFfn::Strategy::Dispatch);
            QVERIFY(torch::allclose(out[r].unsqueeze(0), reference, 1e-5, 1e-5));
        }
        // compute() counts too; forward() at the layer's threshold counts the same again.
        QCOMPARE(layer.computeCount().expertSlots, slotCount);
        layer.resetComputeCount();
        layer.setThreshold(tau);
        layer.forward(ffn, x, torch::Tensor());
        QCOMPARE(layer.computeCount().expertSlots, slotCount);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, layer.setThreshold(1.5));
    }

    // docs/moe-quality.md, "The MoE plan is a value": the plan is passed with each call and the
    // model is shared, never modified: dense and MoE translations run at the same time on one model
    // and each gives what it gives alone.
    void plansShareOneModelAcrossThreads() {
        auto model = test::tinyModel();
        const Translator translator(model);
        auto layers = oracleLayers(*model, 8, 1);
        const FfnPlan plan = makeMoePlan(layers);
        DecodeOptions options;
        options.maxLength = 12;
        Feedback feedback;
        const auto dense = translator.translate(sources(), options, feedback).translations;
        const auto sparse = translator.translate(sources(), options, feedback, &plan).translations;
        QVERIFY(sparse != dense);
        std::atomic<int> wrong{0};
        auto run = [&](const FfnPlan* p, const std::vector<std::string>& expected) {
            Feedback quiet;
            for (int i = 0; i < 6; ++i) {
                if (translator.translate(sources(), options, quiet, p).translations != expected) {
                    ++wrong;
                }
            }
        };
        std::thread a(run, nullptr, dense), b(run, &plan, sparse);
        a.join();
        b.join();
        QCOMPARE(wrong.load(), 0);
        for (const auto& ffn : model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());  // nothing was installed on the shared model
        }
    }
};

QTEST_APPLESS_MAIN(TestMoeLayer)
#include "test_MoeLayer.moc"
