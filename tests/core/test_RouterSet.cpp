#include "ErrorTestSupport.h"
#include "MoeTestSupport.h"

#include "moewb/moe/RouterSet.h"
#include "moewb/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace moewb;
using moewb::test::contains;
using moewb::test::errorOf;

namespace {

PartitionSet randomPartition(NmtModel& model, int numExperts, uint64_t seed) {
    Feedback feedback;
    ModelPartitionOptions options;
    options.method = "random";
    options.numExperts = numExperts;
    options.seed = seed;
    return partitionModel(model, nullptr, options, feedback);
}

// Rewrites a JSON file through `edit`.
void editJson(const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
    auto document = nlohmann::json::parse(readFileBytes(path));
    edit(document);
    writeFileAtomic(path, document.dump(1));
}

}  // namespace

class TestRouterSet : public QObject {
    Q_OBJECT
private Q_SLOTS:
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

    // A router records the partition it was trained on (N and its content hash) and refuses
    // another: the partition re-run with 8 experts, or with another seed (same N).
    void aRouterKnowsItsPartition() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto four = randomPartition(*model, 4, 1);
        const auto eight = randomPartition(*model, 8, 1);
        const auto reshuffled = randomPartition(*model, 4, 2);
        QCOMPARE(partitionHash(randomPartition(*model, 4, 1)), partitionHash(four));
        QVERIFY(partitionHash(reshuffled) != partitionHash(four));
        QVERIFY(partitionHash(eight) != partitionHash(four));
        const auto experts = buildExperts(*model, four);
        QCOMPARE(partitionHash(experts), partitionHash(four));

        std::vector<torch::Tensor> ids;
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 2000, feedback, &ids);
        RouterTrainingOptions options;
        options.mlp.epochs = 2;
        auto set = trainRouters(experts, inputs, options, feedback, &ids);
        set.partition = "random";
        QCOMPARE(set.numExperts, 4);
        QTemporaryDir dir;
        const std::string path = dir.filePath("random-mlp.json").toStdString();
        const std::string contentHash = saveRouterSet(path, set);
        const auto header = readRouterHeader(path);
        QCOMPARE(header.version, 2);
        QCOMPARE(header.numExperts, 4);
        QCOMPARE(header.partitionHash, partitionHash(four));
        QCOMPARE(header.contentHash, contentHash);
        QCOMPARE(loadRouterSet(path, experts).contentHash, contentHash);

        QVERIFY(routerPartitionMismatch(path, header, "partitions/random.json", four).empty());
        const auto fewer = routerPartitionMismatch(path, header, "partitions/random.json", eight);
        QVERIFY2(contains(fewer, path) && contains(fewer, "partitions/random.json") &&
                     contains(fewer, "trained on 4 experts") && contains(fewer, "now has 8") &&
                     contains(fewer, "re-run the Routers step"),
                 fewer.c_str());
        const auto other =
            routerPartitionMismatch(path, header, "partitions/random.json", reshuffled);
        QVERIFY2(contains(other, "another split"), other.c_str());
        // The loader refuses both too, naming the file, before any weight is used.
        const auto eightError = errorOf([&] { loadRouterSet(path, buildExperts(*model, eight)); });
        QVERIFY2(contains(eightError, path) && contains(eightError, "8"), eightError.c_str());
        const auto otherError =
            errorOf([&] { loadRouterSet(path, buildExperts(*model, reshuffled)); });
        QVERIFY2(contains(otherError, "another split"), otherError.c_str());
    }

    // Version-1 router files (no partition hash) still load; their N is read from their recall
    // tables and still checked, so a router never picks experts that do not exist. Newer
    // versions are refused.
    void versionOneFilesLoadAndAreCheckedByTheirExpertCount() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto four = randomPartition(*model, 4, 1);
        const auto experts = buildExperts(*model, four);
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 2000, feedback);
        RouterTrainingOptions options;
        options.kind = "similarity";
        auto set = trainRouters(experts, inputs, options, feedback);
        set.partition = "random";
        QTemporaryDir dir;
        const std::string path = dir.filePath("old.json").toStdString();
        saveRouterSet(path, set);
        editJson(path, [](nlohmann::json& d) {
            d.erase("num_experts");
            d.erase("partition_hash");
            d["version"] = 1;
        });
        const auto header = readRouterHeader(path);
        QCOMPARE(header.version, 1);
        QCOMPARE(header.numExperts, 4);
        QVERIFY(header.partitionHash.empty());
        QCOMPARE(loadRouterSet(path, experts).layers.size(), experts.size());
        QVERIFY(routerPartitionMismatch(path, header, "p.json", four).empty());
        QVERIFY(!routerPartitionMismatch(path, header, "p.json", randomPartition(*model, 8, 1))
                     .empty());
        QVERIFY(!errorOf([&] {
                     loadRouterSet(path, buildExperts(*model, randomPartition(*model, 8, 1)));
                 }).empty());
        editJson(path, [](nlohmann::json& d) { d["version"] = 3; });
        const auto newer = errorOf([&] { readRouterHeader(path); });
        QVERIFY2(contains(newer, path) && contains(newer, "newer"), newer.c_str());
        // Version 2 requires the hash.
        saveRouterSet(path, set);
        editJson(path, [](nlohmann::json& d) { d.erase("partition_hash"); });
        const auto missing = errorOf([&] { readRouterHeader(path); });
        QVERIFY2(contains(missing, path) && contains(missing, "partition_hash"), missing.c_str());
    }

    // Crafted MLP weights (a negative or huge shape, data that does not fit it, a non-finite
    // weight) are one-line errors naming the file, never a LibTorch backtrace.
    void craftedWeightsAreOneLineErrors() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto experts = buildExperts(*model, randomPartition(*model, 4, 1));
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 2000, feedback);
        RouterTrainingOptions options;
        options.mlp.epochs = 1;
        const auto set = trainRouters(experts, inputs, options, feedback);
        QTemporaryDir dir;
        const std::string path = dir.filePath("mlp.json").toStdString();
        const std::vector<std::function<void(nlohmann::json&)>> crafts = {
            [](nlohmann::json& first) {
                first["shape"] = {-4, 32};
            },
            [](nlohmann::json& first) {
                first["shape"] = {4, int64_t(1) << 40};
            },
            [](nlohmann::json& first) { first["data"].erase(first["data"].size() - 1); },
            [](nlohmann::json& first) { first["data"][0] = 1e300; },
            [](nlohmann::json& first) {
                first["shape"] = {8, 32};
            },
        };
        for (const auto& craft : crafts) {
            saveRouterSet(path, set);
            editJson(path, [&](nlohmann::json& d) { craft(d["layers"][0]["first"]); });
            const auto error = errorOf([&] { loadRouterSet(path, experts); });
            QVERIFY2(contains(error, path) && !contains(error, "\n") && !contains(error, "frame #"),
                     error.c_str());
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
        expectRefused(bad, "MLP weights for 4 experts");
        bad = good;
        bad["layers"][0]["first"]["shape"] = {-8, -32};
        expectRefused(bad, "invalid shape");
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
        expectRefused(bad, "seed' must be a whole number");
        bad["kind"] = "no\nsuch";
        expectRefused(bad, R"(unknown router kind "no\nsuch")");
    }
};

QTEST_APPLESS_MAIN(TestRouterSet)
#include "test_RouterSet.moc"
