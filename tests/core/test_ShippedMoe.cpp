// The shipped fine-tuned MoE (resources/models/default-moe/, ShippedMoe.h): it is found, fits the
// size budget, a project on the default model opens with it, and it translates the built-in demo
// set with the BLEU recorded in resources/models/default-moe/README.md (measured with
// `moewb eval --moe --k K` on the demo set, greedy, batch 32), so a wrong file, partition, router
// or kernel shows up as a changed score.
#include "moewb/corpus/DemoSet.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/moe/Profiler.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/Translator.h"
#include "moewb/project/Project.h"
#include "moewb/project/ShippedMoe.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"

#include "NmtTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

namespace {

double demoBleu(const std::shared_ptr<NmtModel>& model, const FfnPlan* plan) {
    const auto demo = loadDemoSet();
    std::vector<std::string> sources, references;
    for (const auto& p : demo.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    Feedback feedback;
    const auto out = Translator(model).translate(sources, DecodeOptions{}, feedback, plan);
    return corpusBleu(out.translations, references).score;
}

}  // namespace

class TestShippedMoe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void translatesTheDemoSetAsRecorded() {
        const auto shipped = findShippedMoe();
        QVERIFY2(shipped.has_value(), "resources/models/default-moe/ is incomplete");
        QVERIFY(readFileBytes(shipped->model).size() <= 16u * 1024 * 1024);
        auto model = NmtModel::load(shipped->model);
        const auto experts = buildExperts(*model, loadPartitionSet(shipped->partition));
        const auto routers = loadRouterSet(shipped->router, experts);
        QCOMPARE(routers.kind, std::string("mlp"));
        QCOMPARE(routers.model, std::string(kShippedMoeName));
        QCOMPARE(experts.at(0)->numExperts(), 16);
        // Golden values: resources/models/default-moe/README.md.
        for (const auto& [k, expected] :
             std::vector<std::pair<int, double>>{{4, 44.90}, {2, 42.50}}) {
            std::vector<std::shared_ptr<MoeLayer>> layers;
            for (std::size_t l = 0; l < experts.size(); ++l) {
                layers.push_back(std::make_shared<MoeLayer>(experts[l], routers.layers[l], k));
            }
            const FfnPlan plan = makeMoePlan(layers);
            const double bleu = demoBleu(model, &plan);
            qInfo("shipped MoE, K = %d: demo-set BLEU %.2f", k, bleu);
            QVERIFY2(std::abs(bleu - expected) < 0.01,
                     qPrintable(QString("K = %1: %2, recorded %3").arg(k).arg(bleu).arg(expected)));
            QCOMPARE(totalCompute(layers).expertsPerToken(), double(k));
        }
    }

    // K = N of every partition kind is the default model itself: the experts are the FFN's
    // neurons regrouped, so any lost, doubled or misplaced neuron (a wrong permutation, a wrong
    // bias, a kernel skipping an expert) changes the logits. Teacher-forced logits cover the
    // many-row path, greedy and beam decoding the few-row kernels of decoding.
    void everyPartitionKindAtFullKIsTheDenseModel() {
        auto model = NmtModel::load(NmtModel::defaultModelPath());
        model->transformer()->eval();
        torch::NoGradGuard noGrad;
        Feedback feedback;
        const auto pairs = test::sixteenPairs();
        ProfileOptions profileOptions;
        profileOptions.tokenBudget = 1500;
        const auto profile = profileModel(*model, pairs, profileOptions, feedback);
        const auto inputs = collectFfnInputs(*model, pairs, 4000, feedback);
        std::vector<std::string> sources;
        for (const auto& p : pairs) {
            sources.push_back(p.source);
        }
        const auto& tokenizer = model->tokenizer();
        auto ids = [](const std::vector<int>& v) {
            return torch::tensor(std::vector<int64_t>(v.begin(), v.end())).unsqueeze(0);
        };
        const auto src = ids(tokenizer.encode(pairs[12].source));
        const auto tgt = ids(tokenizer.encode(pairs[12].target));
        const auto denseLogits = model->transformer()->forward(src, tgt);
        DecodeOptions greedy;
        DecodeOptions beam;
        beam.beamSize = 4;
        const auto denseGreedy = Translator(model).translate(sources, greedy, feedback);
        const auto denseBeam = Translator(model).translate(sources, beam, feedback);
        QVERIFY(corpusBleu(denseGreedy.translations,
                           [&] {
                               std::vector<std::string> r;
                               for (const auto& p : pairs)
                                   r.push_back(p.target);
                               return r;
                           }())
                    .score > 20);  // a model that translates: the equality below means something

        for (const char* method : {"metis", "kmeans", "importance", "random"}) {
            ModelPartitionOptions options;
            options.method = method;
            options.numExperts = 8;
            const auto experts =
                buildExperts(*model, partitionModel(*model, &profile, pairs, options, feedback));
            RouterTrainingOptions routerOptions;
            routerOptions.kind = "similarity";
            const auto routers = trainRouters(experts, inputs, routerOptions, feedback);
            std::vector<std::shared_ptr<MoeLayer>> layers;
            for (std::size_t l = 0; l < experts.size(); ++l) {
                layers.push_back(std::make_shared<MoeLayer>(experts[l], routers.layers[l],
                                                            experts[l]->numExperts()));
            }
            const FfnPlan plan = makeMoePlan(layers);
            torch::Tensor moeLogits;
            {
                FfnPlanScope scope(&plan);
                moeLogits = model->transformer()->forward(src, tgt);
            }
            const double logitError = (moeLogits - denseLogits).abs().max().item<double>();
            QVERIFY2(logitError < 1e-5,
                     qPrintable(QString("%1: logits differ by %2").arg(method).arg(logitError)));
            const auto moeGreedy = Translator(model).translate(sources, greedy, feedback, &plan);
            const auto moeBeam = Translator(model).translate(sources, beam, feedback, &plan);
            QCOMPARE(moeGreedy.translations, denseGreedy.translations);
            QCOMPARE(moeBeam.translations, denseBeam.translations);
            for (std::size_t i = 0; i < sources.size(); ++i) {
                QVERIFY(std::abs(moeGreedy.hypotheses[i].logProb -
                                 denseGreedy.hypotheses[i].logProb) < 1e-4);
                QVERIFY(std::abs(moeBeam.hypotheses[i].score - denseBeam.hypotheses[i].score) <
                        1e-4);
            }
            QCOMPARE(totalCompute(layers).expertsPerToken(), 8.0);
        }
    }

    void defaultProjectOpensWithIt() {
        QTemporaryDir dir;
        const auto project = Project::openOrCreate(dir.path().toStdString());
        QVERIFY(fileExists(project.routerPath(kShippedMoeName)));
        QVERIFY(fileExists(project.partitionPath(kShippedMoeName)));
        QVERIFY(fileExists(project.modelFilePath(kShippedMoeName)));
        const auto header = readRouterHeader(project.routerPath(kShippedMoeName));
        QCOMPARE(header.partition, std::string(kShippedMoeName));
        QCOMPARE(header.model, std::string(kShippedMoeName));
        // A project on another model does not get it: its experts fit the default model only.
        QTemporaryDir other;
        const std::string otherModel = other.path().toStdString() + "/other.moewb";
        writeFileAtomic(otherModel, readFileBytes(NmtModel::defaultModelPath()));
        const auto second = Project::openOrCreate(other.path().toStdString() + "/p", otherModel);
        QVERIFY(!fileExists(second.routerPath(kShippedMoeName)));
    }
};

QTEST_APPLESS_MAIN(TestShippedMoe)
#include "test_ShippedMoe.moc"
