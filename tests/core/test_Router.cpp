#include "NmtTestSupport.h"

#include "moewb/moe/Router.h"

#include <QtTest>

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

}  // namespace

class TestRouter : public QObject {
    Q_OBJECT
private slots:
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
        mlp.train(s.x, *s.experts, options, feedback);
        const MlpRouter copy(mlp.first().clone(), mlp.second().clone());
        QVERIFY(torch::equal(topExperts(copy.scores(s.x, *s.experts), 3),
                             topExperts(mlp.scores(s.x, *s.experts), 3)));
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
