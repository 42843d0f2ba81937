#include "MoeTestSupport.h"

#include "moewb/moe/RouterSet.h"
#include "moewb/util/AtomicFile.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

class TestRouterSet : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(2); }

    void savedRoutersReloadToTheSameChoices() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto experts = test::tinyExperts(*model, "kmeans", 8);
        std::vector<torch::Tensor> ids;
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback, &ids);
        QCOMPARE(inputs.size(), std::size_t(4));
        QVERIFY(inputs[0].size(0) > 100 && inputs[0].size(1) == 32);
        QTemporaryDir dir;
        for (const char* kind : {"mlp", "similarity", "oracle", "hash"}) {
            RouterTrainingOptions options;
            options.kind = kind;
            options.mlp.epochs = 3;
            auto set = trainRouters(experts, inputs, options, feedback, &ids);
            set.partition = "kmeans";
            QCOMPARE(set.quality[0].recall.size(), std::size_t(8));
            const std::string path = dir.filePath(QString(kind) + ".json").toStdString();
            saveRouterSet(path, set);
            const auto loaded = loadRouterSet(path, experts);
            QCOMPARE(loaded.kind, std::string(kind));
            for (std::size_t l = 0; l < experts.size(); ++l) {
                const auto a = topExperts(set.layers[l]->scores(inputs[l], *experts[l], ids[l]), 2);
                const auto b =
                    topExperts(loaded.layers[l]->scores(inputs[l], *experts[l], ids[l]), 2);
                QVERIFY(torch::equal(a, b));
                QCOMPARE(loaded.quality[l].recall, set.quality[l].recall);
            }
        }
    }

    // The token ids come back row for row with the FFN inputs: source ids (each sentence ends
    // in </s>) for encoder layers, BOS + target for decoder layers; no padding.
    void ffnInputsComeWithTheirTokenIds() {
        auto model = test::tinyModel();
        Feedback feedback;
        std::vector<torch::Tensor> ids;
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback, &ids);
        QCOMPARE(ids.size(), inputs.size());
        for (std::size_t l = 0; l < ids.size(); ++l) {
            QCOMPARE(ids[l].dim(), int64_t(1));
            QCOMPARE(ids[l].size(0), inputs[l].size(0));
            QVERIFY(ids[l].ne(SentencePieceModel::kPadId).all().item<bool>());
            const int special = l < 2 ? SentencePieceModel::kEosId : SentencePieceModel::kBosId;
            QCOMPARE(ids[l].eq(special).sum().item<int64_t>(), int64_t(16));
        }
        // Encoder layers see the same tokens, as do decoder layers.
        QVERIFY(torch::equal(ids[0], ids[1]) && torch::equal(ids[2], ids[3]));
        int64_t sourceTokens = 0;
        for (const auto& p : test::sixteenPairs()) {
            sourceTokens += static_cast<int64_t>(model->tokenizer().encode(p.source).size()) + 1;
        }
        QCOMPARE(ids[0].size(0), sourceTokens);
    }

    void hashRoutersNeedTokenIdsAndCheckN() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto experts = test::tinyExperts(*model, "random", 4);
        std::vector<torch::Tensor> ids;
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback, &ids);
        RouterTrainingOptions options;
        options.kind = "hash";
        options.hashSeed = 9;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 trainRouters(experts, inputs, options, feedback));
        const auto set = trainRouters(experts, inputs, options, feedback, &ids);
        const auto* first = dynamic_cast<const HashRouter*>(set.layers[0].get());
        QVERIFY(first && first->seed() == 9);
        QCOMPARE(dynamic_cast<const HashRouter&>(*set.layers[3]).seed(), uint64_t(12));
        for (const auto& q : set.quality) {
            qInfo("hash over random, N = 4: held-out recall@1 %.3f, coverage@1 %.3f", q.recall[0],
                  q.massCoverage[0]);
            QVERIFY(q.recall[0] > 0.0 && q.recall[0] < 0.6);
            QVERIFY(std::abs(q.recall[3] - 1.0) < 1e-9);
        }
        // A file for 4 experts does not load over a partition of 8.
        QTemporaryDir dir;
        const std::string path = dir.filePath("hash.json").toStdString();
        saveRouterSet(path, set);
        const auto eight = test::tinyExperts(*model, "random", 8);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadRouterSet(path, eight));
        QCOMPARE(loadRouterSet(path, experts).kind, std::string("hash"));
    }

    // Importance partitions (shared neurons) build experts that routers work over, and every
    // router still sees only the non-shared experts.
    void importancePartitionsBuildExperts() {
        auto model = test::tinyModel();
        Feedback feedback;
        ModelPartitionOptions partition;
        partition.method = "importance";
        partition.numExperts = 8;
        partition.sharedNeurons = 16;
        const auto set = partitionModel(*model, nullptr, test::sixteenPairs(), partition, feedback);
        const auto experts = buildExperts(*model, set);
        QCOMPARE(experts[0]->sharedSize(), 16);
        QCOMPARE(experts[0]->expertSize(), 6);
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback);
        RouterTrainingOptions options;
        options.kind = "similarity";
        const auto routers = trainRouters(experts, inputs, options, feedback);
        QCOMPARE(routers.quality[0].recall.size(), std::size_t(8));
        qInfo("similarity over importance experts: recall@2 %.3f", routers.quality[0].recall[1]);
        QVERIFY(std::abs(routers.quality[0].recall[7] - 1.0) < 1e-9);
        const auto ffns = model->transformer()->feedForwards();
        for (std::size_t l = 0; l < experts.size(); ++l) {
            torch::NoGradGuard noGrad;
            QVERIFY((experts[l]->dense(inputs[l]) - ffns[l]->dense(inputs[l]))
                        .abs()
                        .max()
                        .item<double>() <= 1e-5);
        }
    }

    // A router file must fit the partition it is loaded with: an MLP gate of another shape was
    // read out of bounds by the decode kernels, short quality figures by the sweep (found by
    // tests/fuzz, fuzz_router), and a float seed converted with undefined behaviour.
    void loadRefusesRoutersThatDoNotFitThePartition() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto experts = test::tinyExperts(*model, "kmeans", 8);
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 2000, feedback);
        RouterTrainingOptions options;
        options.mlp.epochs = 1;
        QTemporaryDir dir;
        const std::string path = dir.filePath("r.json").toStdString();
        saveRouterSet(path, trainRouters(experts, inputs, options, feedback));
        const auto good = nlohmann::json::parse(readFileBytes(path));
        auto expectRefused = [&](const nlohmann::json& document, const char* needle) {
            writeFileAtomic(path, document.dump());
            try {
                loadRouterSet(path, experts);
                QFAIL(("accepted a router with " + std::string(needle)).c_str());
            } catch (const std::runtime_error& e) {
                const std::string message = e.what();
                QVERIFY2(message.find(path) == 0 && message.find(needle) != std::string::npos,
                         message.c_str());
            }
        };
        auto bad = good;
        auto& first = bad["layers"][1]["first"];
        first["shape"] = {4, 32};  // 4 experts, the partition has 8
        first["data"] = std::vector<float>(4 * 32, 0.5f);
        bad["layers"][1]["second"]["shape"] = {4, 4};
        bad["layers"][1]["second"]["data"] = std::vector<float>(16, 0.5f);
        expectRefused(bad, "MLP gate of shape [4,32]");
        bad = good;
        bad["layers"][0]["first"]["shape"] = {-8, -32};
        expectRefused(bad, "out of range");
        bad = good;
        bad["layers"][0]["first"]["data"][3] = 1e300;
        expectRefused(bad, "not a finite float");
        bad = good;
        bad["layers"][2]["recall"].erase(7);
        expectRefused(bad, "quality figures");
        bad = good;
        bad["kind"] = "hash";
        for (auto& layer : bad["layers"]) {
            layer["num_experts"] = 8;
            layer["seed"] = 1.5;
        }
        expectRefused(bad, "'seed' must be a whole number");
        bad["kind"] = "no\nsuch";
        expectRefused(bad, R"(unknown router kind "no\nsuch")");
    }
};

QTEST_APPLESS_MAIN(TestRouterSet)
#include "test_RouterSet.moc"
