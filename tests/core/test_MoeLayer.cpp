#include "NmtTestSupport.h"

#include "moewb/moe/MoeLayer.h"
#include "moewb/nmt/Translator.h"

#include <QtTest>

#include <numeric>

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
private slots:
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
};

QTEST_APPLESS_MAIN(TestMoeLayer)
#include "test_MoeLayer.moc"
