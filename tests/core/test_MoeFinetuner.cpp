// MoE fine-tuning (MoeFinetuner.h) on the tiny model: it must raise BLEU at the K it tunes for,
// resume bit for bit, and leave the dense model and the last checkpoint intact when cancelled.
#include "NmtTestSupport.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/MoeFinetuner.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/JsonFile.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

namespace {

std::vector<std::string> column(bool source) {
    std::vector<std::string> out;
    for (const auto& p : test::sixteenPairs()) {
        out.push_back(source ? p.source : p.target);
    }
    return out;
}

// Greedy BLEU on the 16 pairs with K experts per token chosen as the fine-tuner chooses them.
double bleuAtK(const NmtModel& model, const PartitionSet& partition, int k) {
    auto copy = model.clone();
    copy->transformer()->eval();
    installTopKTraining(*copy, partition, std::vector<int>(partition.layers.size(), k));
    Feedback feedback;
    DecodeOptions options;
    options.maxLength = 30;
    const auto out = Translator(copy).translate(column(true), options, feedback);
    return corpusBleu(out.translations, column(false)).score;
}

// Greedy BLEU on the 16 pairs with MoE inference at K = k, routed by one router per layer.
double bleuWithRouters(const std::shared_ptr<NmtModel>& model, const PartitionSet& partition,
                       const std::vector<std::shared_ptr<Router>>& routers, int k) {
    const auto experts = buildExperts(*model, partition);
    std::vector<std::shared_ptr<MoeLayer>> layers;
    for (std::size_t l = 0; l < experts.size(); ++l) {
        layers.push_back(std::make_shared<MoeLayer>(experts[l], routers[l], k));
    }
    const auto plan = makeMoePlan(layers);
    model->transformer()->eval();
    Feedback feedback;
    DecodeOptions options;
    options.maxLength = 30;
    const auto out = Translator(model).translate(column(true), options, feedback, &plan);
    return corpusBleu(out.translations, column(false)).score;
}

bool sameWeights(const NmtModel& a, const NmtModel& b) {
    const auto pa = a.transformer()->named_parameters();
    const auto pb = b.transformer()->named_parameters();
    for (const auto& item : pa) {
        if (!torch::equal(item.value(), pb[item.key()])) {
            return false;
        }
    }
    return true;
}

FinetuneOptions tinyOptions(int steps) {
    FinetuneOptions options;
    options.layerK = std::vector<int>(4, 1);  // tiny model: 2 encoder + 2 decoder FFNs
    options.maxSteps = steps;
    options.maxEpochs = 1000;
    options.learningRate = 3e-3;
    options.maxBatchTokens = 240;
    options.maxSentenceTokens = 40;
    options.checkEvery = 0;
    options.checkSentences = 4;
    return options;
}

FinetuneData tinyData() {
    FinetuneData data;
    data.train = test::sixteenPairs();
    data.valid = test::sixteenPairs();
    data.description = "16 test pairs";
    return data;
}

}  // namespace

class TestMoeFinetuner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_dense = test::trainTinyModel(150).model;
        Feedback feedback;
        ModelPartitionOptions options;
        options.method = "kmeans";
        options.numExperts = 4;
        m_partition = partitionModel(*m_dense, nullptr, options, feedback);
    }

    void raisesBleuAtTheTunedK() {
        const auto before = m_dense->clone();
        const double dense = bleuAtK(*m_dense, m_partition, 4);
        const double atOne = bleuAtK(*m_dense, m_partition, 1);
        QVERIFY2(atOne < dense - 10, qPrintable(QString("K=1 %1, dense %2").arg(atOne).arg(dense)));
        Feedback feedback;
        std::vector<FinetunePoint> points;
        auto options = tinyOptions(120);
        options.onPoint = [&](const FinetunePoint& p) { points.push_back(p); };
        const auto result = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        const double tuned = bleuAtK(*result.model, m_partition, 1);
        QVERIFY2(tuned > atOne + 10,
                 qPrintable(QString("K=1 before %1, after %2").arg(atOne).arg(tuned)));
        QVERIFY(sameWeights(*m_dense, *before));  // the teacher is never modified
        QCOMPARE(int(points.size()), 120);
        QCOMPARE(points.back().step, int64_t(120));
        QVERIFY(points.back().bleu >= 0);  // the last step is always checked
        QCOMPARE(result.stopReason, std::string("max steps"));
        QVERIFY(result.model->record().contains("finetune"));
        // The student comes back without training hooks: dense forward as any model.
        for (const auto& ffn : result.model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());
        }
    }

    void resumesBitForBit() {
        QTemporaryDir once, twice;
        Feedback feedback;
        auto options = tinyOptions(20);
        options.checkpointDir = once.path().toStdString();
        options.checkpointEverySteps = 5;
        const auto straight = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);

        options.checkpointDir = twice.path().toStdString();
        options.maxSteps = 7;  // stops mid-epoch, between two checkpoints
        finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        options.maxSteps = 20;
        options.resume = true;
        const auto resumed = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        QVERIFY(sameWeights(*straight.model, *resumed.model));
        QCOMPARE(resumed.curve.size(), straight.curve.size());
        QCOMPARE(resumed.curve.back().loss, straight.curve.back().loss);
    }

    void cancelLeavesDenseAndCheckpointIntact() {
        QTemporaryDir dir;
        const auto before = m_dense->clone();
        Feedback feedback;
        auto options = tinyOptions(50);
        options.checkpointDir = dir.path().toStdString();
        options.checkpointEverySteps = 4;
        options.onPoint = [&](const FinetunePoint& p) {
            if (p.step == 6) {
                feedback.cancel();
            }
        };
        QVERIFY_THROWS_EXCEPTION(OperationCancelled,
                                 finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback));
        QVERIFY(sameWeights(*m_dense, *before));
        const auto state =
            readJsonFile(options.checkpointDir + "/state.json", "moewb-finetune-state", 1);
        QCOMPARE(state.at("step").get<int>(), 4);  // the last checkpoint before the cancel
    }

    // Routing by a given router: the oracle router over the dense experts chooses at the first
    // step what the current-weights rule chooses (the weights are still the dense ones), so the
    // first losses agree; the similarity router chooses other experts and the loss differs.
    void routesByAGivenRouter() {
        Feedback feedback;
        const auto byWeights =
            finetuneMoe(*m_dense, m_partition, tinyData(), tinyOptions(1), feedback);
        const auto experts = buildExperts(*m_dense, m_partition);
        auto oracle = std::make_shared<RouterSet>(), similarity = std::make_shared<RouterSet>();
        for (const auto& e : experts) {
            oracle->layers.push_back(std::make_shared<OracleRouter>());
            similarity->layers.push_back(std::make_shared<SimilarityRouter>(*e));
        }
        auto options = tinyOptions(1);
        options.routing = TrainingRouting::Router;
        options.router = oracle;
        const auto byOracle = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        QVERIFY2(std::abs(byOracle.curve[0].loss - byWeights.curve[0].loss) < 1e-5,
                 qPrintable(
                     QString("%1 vs %2").arg(byOracle.curve[0].loss).arg(byWeights.curve[0].loss)));
        options.router = similarity;
        const auto bySimilarity = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        QVERIFY(std::abs(bySimilarity.curve[0].loss - byWeights.curve[0].loss) > 1e-3);
        options.router = nullptr;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback));
    }

    // The joint gate (noisy top-K gating) learns with the experts: its weights leave their
    // start, its balance loss is reported, and MoE inference routed by the saved gate at K = 1
    // (the unweighted sum of the chosen experts, as in training) translates far better than the
    // dense model cut to K = 1.
    void jointGateLearnsToRoute() {
        Feedback feedback;
        auto options = tinyOptions(120);
        options.routing = TrainingRouting::JointGate;
        const auto result = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        const auto experts = buildExperts(*m_dense, m_partition);
        QCOMPARE(int(result.gate.size()), 4);
        std::vector<std::shared_ptr<Router>> gates;
        for (std::size_t l = 0; l < result.gate.size(); ++l) {
            QCOMPARE(result.gate[l].size(0), int64_t(4));
            QCOMPARE(result.gate[l].size(1), int64_t(m_dense->config().dModel));
            const auto start = GateRouter::initialWeight(*experts[l]) * 10.0;
            QVERIFY((result.gate[l] - start).abs().max().item<float>() > 1e-2);
            gates.push_back(std::make_shared<GateRouter>(result.gate[l]));
        }
        QVERIFY(result.curve.front().balance > 0);
        QCOMPARE(result.model->record()["finetune"]["routing"].get<std::string>(),
                 std::string("gate"));
        const double atOne = bleuAtK(*m_dense, m_partition, 1);
        const double gated = bleuWithRouters(result.model, m_partition, gates, 1);
        QVERIFY2(gated > atOne + 10,
                 qPrintable(QString("K=1 dense %1, tuned with its gate %2").arg(atOne).arg(gated)));
    }

    // A resumed joint-gate run restores the gate and its optimizer state: same model, same gate.
    void jointGateResumesBitForBit() {
        QTemporaryDir once, twice;
        Feedback feedback;
        auto options = tinyOptions(12);
        options.routing = TrainingRouting::JointGate;
        options.checkpointDir = once.path().toStdString();
        options.checkpointEverySteps = 5;
        const auto straight = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        options.checkpointDir = twice.path().toStdString();
        options.maxSteps = 7;
        finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        options.maxSteps = 12;
        options.resume = true;
        const auto resumed = finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback);
        QVERIFY(sameWeights(*straight.model, *resumed.model));
        for (std::size_t l = 0; l < straight.gate.size(); ++l) {
            QVERIFY(torch::equal(straight.gate[l], resumed.gate[l]));
        }
        QCOMPARE(resumed.curve.back().balance, straight.curve.back().balance);
    }

    void refusesBadOptions() {
        Feedback feedback;
        auto options = tinyOptions(1);
        options.layerK = {1, 1};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback));
        options = tinyOptions(1);
        options.layerK = std::vector<int>(4, 5);  // N = 4
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback));
        options = tinyOptions(1);
        options.kdWeight = options.ceWeight = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 finetuneMoe(*m_dense, m_partition, tinyData(), options, feedback));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            finetuneMoe(*m_dense, m_partition, FinetuneData{}, tinyOptions(1), feedback));
    }

    // A damaged state.json is a one-line error naming it: floats where counts belong were cast
    // with undefined behaviour, a bad epoch or batch surfaced only when resuming.
    void damagedCheckpointStateIsACleanError() {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        const Json curve = {{10, 5.5, 2, 3.2, 1.1, 2.1, 0.0, -1, 900.0}};
        auto state = [&](Json changes) {
            Json document = {
                {"step", 10}, {"epoch", 1}, {"batch", 7}, {"seconds", 5.5}, {"curve", curve}};
            document.update(changes);
            writeJsonFile(folder + "/state.json", document, "moewb-finetune-state", 1);
        };
        state(Json::object());
        QCOMPARE(readFinetuneCheckpoint(folder)->batch, int64_t{7});
        for (const Json& changes :
             {Json{{"step", 1e300}}, Json{{"epoch", 0}}, Json{{"batch", "seven"}},
              Json{{"curve", 3}}, Json{{"curve", {{1e300, 1, 1, 1, 1, 1, 1, 1, 1}}}},
              Json{{"curve", {{1, 1, 1e300, 1, 1, 1, 1, 1, 1}}}}, Json{{"curve", {"point"}}}}) {
            state(changes);
            try {
                readFinetuneCheckpoint(folder);
                QFAIL(("accepted " + changes.dump()).c_str());
            } catch (const std::runtime_error& e) {
                QVERIFY2(std::string(e.what()).find(folder + "/state.json") == 0, e.what());
            }
        }
    }

private:
    std::shared_ptr<NmtModel> m_dense;
    PartitionSet m_partition;
};

QTEST_GUILESS_MAIN(TestMoeFinetuner)
#include "test_MoeFinetuner.moc"
