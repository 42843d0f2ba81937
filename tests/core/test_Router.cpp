#include "NmtTestSupport.h"

#include "moewb/moe/Router.h"
#include "moewb/moe/RouterSet.h"

#include <QTemporaryDir>

#include <QtTest>

#include <cmath>
#include <numeric>

using namespace moewb;

namespace {

// FFN inputs with structure: a random layer whose neurons respond to a few directions.
struct Setup {
    std::shared_ptr<NmtModel> model;
    std::shared_ptr<ExpertFfn> experts;
    torch::Tensor x;
};

Setup setup() {
    Setup s;
    s.model = test::tinyModel(11);
    auto ffn = s.model->transformer()->feedForwards()[0];
    std::vector<int> order(64);
    std::iota(order.begin(), order.end(), 0);
    s.experts = std::make_shared<ExpertFfn>(*ffn, order, 8);
    torch::manual_seed(5);
    s.x = torch::randn({3000, 32});
    return s;
}

// A router set of one layer over the setup's partition, ready for saveRouterSet.
RouterSet oneLayerSet(const Setup& s, std::shared_ptr<Router> router, const torch::Tensor& x) {
    RouterSet set;
    set.kind = router->kind();
    set.partition = "p";
    set.numExperts = s.experts->numExperts();
    set.partitionHash = partitionHash({s.experts});
    set.quality.push_back(evaluateRouter(*router, *s.experts, x));
    set.layers.push_back(std::move(router));
    return set;
}

}  // namespace

class TestRouter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void oracleIsPerfectAndQualityIsMonotone() {
        auto s = setup();
        const auto q = evaluateRouter(OracleRouter(), *s.experts, s.x);
        QCOMPARE(q.recall.size(), std::size_t(8));
        for (std::size_t k = 0; k < 8; ++k) {
            QVERIFY(std::abs(q.recall[k] - 1.0) < 1e-6);
            if (k > 0) {
                QVERIFY(q.massCoverage[k] >= q.massCoverage[k - 1] - 1e-9);
            }
        }
        QVERIFY(std::abs(q.massCoverage[7] - 1.0) < 1e-6);
        // Load: at K the shares of tokens per expert sum to K; at K = N every expert runs on every
        // token (shares all 1, CV 0).
        QCOMPARE(q.load.size(), std::size_t(8));
        for (std::size_t k = 0; k < 8; ++k) {
            double sum = 0;
            for (double share : q.load[k]) {
                sum += share;
            }
            QVERIFY(std::abs(sum - double(k + 1)) < 1e-9);
        }
        QVERIFY(std::abs(q.loadCv[7]) < 1e-12);
        // A hand case: 4 tokens, 2 experts, the router always picks expert 0 at K = 1: shares
        // (1, 0), mean 0.5, population std 0.5, CV 1.
        struct Fixed : Router {
            std::string kind() const override { return "fixed"; }
            torch::Tensor scores(const torch::Tensor& x, const ExpertFfn&) const override {
                return torch::tensor({1.0f, 0.0f}).expand({x.size(0), 2}).clone();
            }
            int64_t flopsPerToken(const ExpertFfn&) const override { return 0; }
        };
        const auto model = test::tinyModel();
        std::vector<int> order(64);
        std::iota(order.begin(), order.end(), 0);
        const ExpertFfn two(*model->transformer()->feedForwards()[0], order, 2);
        const auto fixed = evaluateRouter(Fixed(), two, torch::randn({4, 32}));
        QCOMPARE(fixed.load[0], (std::vector<double>{1.0, 0.0}));
        QVERIFY(std::abs(fixed.loadCv[0] - 1.0) < 1e-12);
    }

    void trainingLowersHeldOutLossAndRoutesFarAboveChance() {
        auto s = setup();
        const SimilarityRouter similarity(*s.experts);
        MlpRouter mlp(*s.experts);
        Feedback feedback;
        MlpRouterOptions options;
        options.epochs = 0;  // only measures the initial held-out loss
        const double initial = mlp.train(s.x.narrow(0, 0, 2500), *s.experts, options, feedback);
        options.epochs = 20;
        const double trained = mlp.train(s.x.narrow(0, 0, 2500), *s.experts, options, feedback);
        const auto heldOut = s.x.narrow(0, 2500, 500);
        const auto after = evaluateRouter(mlp, *s.experts, heldOut);
        const auto sim = evaluateRouter(similarity, *s.experts, heldOut);
        qInfo("held-out BCE %.4f -> %.4f; recall@2 similarity %.3f, MLP %.3f", initial, trained,
              sim.recall[1], after.recall[1]);
        QVERIFY(trained < initial);
        QVERIFY(after.recall[1] > 2.0 / 8.0 + 0.2);  // chance is K/N = 0.25
        QVERIFY(after.massCoverage[1] > 2.0 / 8.0);
    }

    void savedWeightsGiveTheSameChoices() {
        auto s = setup();
        MlpRouter mlp(*s.experts);
        Feedback feedback;
        MlpRouterOptions options;
        options.epochs = 2;
        auto trained = std::make_shared<MlpRouter>(*s.experts);
        trained->train(s.x, *s.experts, options, feedback);
        // Through a router file on disk, as a project reloads it: same weights, same choices
        // (a float lost in the text or a transposed matrix would change them).
        QTemporaryDir dir;
        const std::string path = dir.filePath("mlp.json").toStdString();
        const RouterSet set = oneLayerSet(s, trained, s.x);
        saveRouterSet(path, set);
        const auto loaded = loadRouterSet(path, {s.experts});
        const auto* back = dynamic_cast<const MlpRouter*>(loaded.layers.at(0).get());
        QVERIFY(back);
        QVERIFY(torch::equal(back->first(), trained->first()));
        QVERIFY(torch::equal(back->second(), trained->second()));
        QVERIFY(torch::equal(topExperts(back->scores(s.x, *s.experts), 3),
                             topExperts(trained->scores(s.x, *s.experts), 3)));
        // And the choices are the trained ones, not an untrained router's.
        QVERIFY(!torch::equal(topExperts(back->scores(s.x, *s.experts), 3),
                              topExperts(mlp.scores(s.x, *s.experts), 3)));
    }

    // The joint gate of fine-tuning: s = W x̂ on unit-length rows (hand-computed here), the same
    // on the raw-memory path, and a router file brings back exactly the same weights; a gate of
    // another expert count is refused naming the file.
    void gateRouterScoresUnitInputsAndRoundTripsThroughAFile() {
        auto s = setup();
        torch::manual_seed(9);
        const auto weight = torch::randn({8, 32});
        const GateRouter gate(weight);
        const auto x = s.x.narrow(0, 0, 50);
        const auto byHand = torch::mm(x / x.norm(2, 1, true), weight.t());
        QVERIFY(torch::allclose(gate.scores(x, *s.experts), byHand, 1e-5, 1e-5));
        std::vector<float> rows(50 * 8);
        gate.scoreRows(x.contiguous().data_ptr<float>(), 50, *s.experts, nullptr, rows.data());
        QVERIFY(torch::allclose(torch::from_blob(rows.data(), {50, 8}), byHand, 1e-4, 1e-4));
        QCOMPARE(gate.flopsPerToken(*s.experts), int64_t(8 * 32));

        QTemporaryDir dir;
        const std::string path = dir.filePath("gate.json").toStdString();
        const RouterSet set = oneLayerSet(s, std::make_shared<GateRouter>(weight), x);
        saveRouterSet(path, set);
        const auto loaded = loadRouterSet(path, {s.experts});
        QCOMPARE(loaded.kind, std::string("gate"));
        const auto* back = dynamic_cast<const GateRouter*>(loaded.layers.at(0).get());
        QVERIFY(back);
        QVERIFY(torch::equal(back->weight(), weight));

        RouterSet narrow = set;
        narrow.layers[0] = std::make_shared<GateRouter>(torch::randn({4, 32}));
        saveRouterSet(path, narrow);
        try {
            loadRouterSet(path, {s.experts});
            QFAIL("a gate over 4 experts loaded against 8");
        } catch (const std::runtime_error& error) {
            QVERIFY2(std::string(error.what()).find(path) != std::string::npos, error.what());
        }
    }

    // MoEBERT's hash router: the experts depend on the token id only, through a seeded table.
    void hashRouterIsAFixedSeededTableOfTokenIds() {
        auto s = setup();
        const HashRouter router(42, 8);
        QCOMPARE(router.kind(), std::string("hash"));
        QVERIFY(router.needsTokenIds());
        QCOMPARE(router.flopsPerToken(*s.experts), int64_t(0));
        torch::manual_seed(3);
        const auto ids = torch::randint(0, 120, {s.x.size(0)}, torch::kLong);
        const auto scores = router.scores(s.x, *s.experts, ids);
        QCOMPARE(scores.sizes().vec(), (std::vector<int64_t>{s.x.size(0), 8}));
        QVERIFY((scores >= 0).all().item<bool>() && (scores < 1).all().item<bool>());
        // Same token id -> same experts, whatever x is.
        const auto top = topExperts(scores, 2);
        const auto other = topExperts(router.scores(torch::randn_like(s.x), *s.experts, ids), 2);
        QVERIFY(torch::equal(top, other));
        const std::vector<int64_t> id(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + 300);
        int repeats = 0;
        for (int64_t t = 1; t < 300; ++t) {
            for (int64_t u = 0; u < t; ++u) {
                if (id[t] == id[u]) {
                    QVERIFY(torch::equal(top[t], top[u]));
                    ++repeats;
                }
            }
        }
        QVERIFY(repeats > 100);
        // The table is the documented hash (docs/algorithms.md, "Routers"): the top 24 bits of
        // splitmix64(splitmix64(splitmix64(seed) ^ token) + e) over 2^24. Values from a Python
        // port of the reference splitmix64.c (prng.di.unimi.it; from state 1234567 it gives the
        // reference's 6457827717110365317, 3203168211198807973):
        //   seed 42, token 7: e 0…7 -> 5619336 3685680 4040704 16080450 1029725 8819397 7343955
        //                               2446619 (/ 2^24): top 2 = experts 3 and 5
        //   seed 42, token 0, e 0 -> 6492351;  seed 43, token 7, e 3 -> 5505316;
        //   seed 1, token 1000, e 0 -> 5409073
        const auto pinned = router.scores(torch::zeros({3, 32}), *s.experts,
                                          torch::tensor({int64_t(7), int64_t(0), int64_t(7)}));
        // Compared as integers: a float compare is fuzzy and would let a one-bit change through.
        auto in24 = [](float score) { return std::lround(double(score) * 16777216.0); };
        const std::vector<long> token7 = {5619336, 3685680, 4040704, 16080450,
                                          1029725, 8819397, 7343955, 2446619};
        for (int e = 0; e < 8; ++e) {
            QCOMPARE(in24(pinned[0][e].item<float>()), token7[std::size_t(e)]);
            QCOMPARE(in24(pinned[2][e].item<float>()), token7[std::size_t(e)]);
        }
        QCOMPARE(in24(pinned[1][0].item<float>()), 6492351L);
        const auto pinnedTop = topExperts(pinned, 2);
        QCOMPARE(pinnedTop[0][0].item<int64_t>(), int64_t(3));
        QCOMPARE(pinnedTop[0][1].item<int64_t>(), int64_t(5));
        QCOMPARE(in24(HashRouter::score(43, 7, 3)), 5505316L);
        QCOMPARE(in24(HashRouter::score(1, 1000, 0)), 5409073L);
        // Another seed is another table; the same seed is the same table.
        QVERIFY(!torch::equal(topExperts(HashRouter(43, 8).scores(s.x, *s.experts, ids), 2), top));
        QVERIFY(torch::equal(topExperts(HashRouter(42, 8).scores(s.x, *s.experts, ids), 2), top));
        // Load is spread over the experts: every expert is someone's first choice.
        const auto first = torch::bincount(
            topExperts(router.scores(s.x, *s.experts,
                                     torch::arange(4000, torch::kLong).narrow(0, 0, 3000)),
                       1)
                .reshape({-1}),
            {}, 8);
        QVERIFY(first.min().item<int64_t>() > 3000 / 8 / 2);
        // Without ids (or for another N) it says what is missing.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, router.scores(s.x, *s.experts));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 router.scores(s.x, *s.experts, torch::Tensor()));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 HashRouter(1, 4).scores(s.x, *s.experts, ids));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, evaluateRouter(router, *s.experts, s.x));
        // Its quality is measurable with ids; a token-blind table sits near chance (K/N).
        const auto q = evaluateRouter(router, *s.experts, s.x, ids);
        qInfo("hash router on random inputs: recall@2 %.3f, coverage@2 %.3f", q.recall[1],
              q.massCoverage[1]);
        QVERIFY(std::abs(q.recall[1] - 0.25) < 0.1);
        QVERIFY(std::abs(q.recall[7] - 1.0) < 1e-6);
        // Routers that look at x ignore ids.
        const SimilarityRouter similarity(*s.experts);
        QVERIFY(torch::equal(similarity.scores(s.x, *s.experts, ids),
                             similarity.scores(s.x, *s.experts)));
    }

    void trainingCanBeCancelled() {
        auto s = setup();
        MlpRouter mlp(*s.experts);
        Feedback feedback;
        feedback.cancel();
        QVERIFY_THROWS_EXCEPTION(OperationCancelled,
                                 mlp.train(s.x, *s.experts, MlpRouterOptions{}, feedback));
    }
};

QTEST_APPLESS_MAIN(TestRouter)
#include "test_Router.moc"
