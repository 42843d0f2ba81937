// The workflow API (ProjectSteps.h, ProjectMoe.h) on a tiny model in a temporary project: each
// step writes the artifact it returns, reads back identical, records its options, refuses bad
// options before any work, and the sweep step's K = N row translates exactly as dense.
#include "ErrorTestSupport.h"
#include "MoeTestSupport.h"

#include "moewb/corpus/CorpusSplit.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/nmt/Translator.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"
#include "moewb/workflow/ProjectMoe.h"
#include "moewb/workflow/ProjectSteps.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace moewb;
using moewb::test::contains;
using moewb::test::errorOf;

namespace {

// The 16 tiny pairs, already loaded: no step here reads the Ding dictionary.
StepPairs tinyPairs() {
    StepPairs data;
    auto corpus = std::make_shared<ParallelCorpus>();
    corpus->pairs = test::sixteenPairs();
    corpus->description = "sixteen test pairs";
    data.loaded = corpus;
    return data;
}

}  // namespace

class TestProjectSteps : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<NmtModel> m_model;
    std::string m_modelPath;

    Project freshProject(const QString& name) {
        return Project::create(m_dir.filePath(name).toStdString(), m_modelPath);
    }

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        QVERIFY(m_dir.isValid());
        m_model = test::tinyModel();
        m_modelPath = m_dir.filePath("tiny.moewb").toStdString();
        m_model->save(m_modelPath);
    }

    // The default training pairs are the Ding dictionary's train split; a corpus the user names
    // is taken whole.
    void trainingDataIsTheTrainSplitOfDing() {
        Feedback quiet;
        CorpusSource ding;
        ding.path = MOEWB_TEST_DATA_DIR "/corpus/ding_small.txt";
        const auto train = loadTrainingData(ding, quiet);
        QVERIFY(!train.pairs.empty());
        QCOMPARE(train.pairs, splitCorpus(loadCorpus(ding, quiet), SplitOptions{}).train.pairs);
        for (const auto& pair : train.pairs) {
            QVERIFY(splitOf(pair, SplitOptions{}) == Split::Train);
        }
        CorpusSource moses;
        moses.kind = CorpusSource::Kind::Moses;
        moses.sourcePath = MOEWB_TEST_DATA_DIR "/corpus/moses_small.de";
        moses.targetPath = MOEWB_TEST_DATA_DIR "/corpus/moses_small.en";
        const auto whole = loadCorpus(moses, quiet);
        QCOMPARE(loadTrainingData(moses, quiet).pairs, whole.pairs);
        QCOMPARE(loadTrainingData(moses, quiet).description, whole.description);
    }

    // Profile → partition (METIS on that profile) → route → sweep, each artifact on disk equal
    // to what the step returned.
    void stepsWriteWhatTheyReturn() {
        const Project project = freshProject("chain");
        Feedback feedback;

        ProfileStepOptions profileOptions;
        profileOptions.tokens = 400;
        profileOptions.data = tinyPairs();
        const auto profiled = runProfileStep(project, *m_model, profileOptions, feedback);
        QCOMPARE(profiled.path, project.profilePath());
        const auto reread = loadProfile(profiled.path);
        QCOMPARE(reread.layers.size(), profiled.profile->layers.size());
        QCOMPARE(reread.layers[0].activations, profiled.profile->layers[0].activations);
        QVERIFY(reread.sourceTokens + reread.targetTokens > 0);
        QCOMPARE(profiled.stepKey, std::string("profile"));
        QCOMPARE(profiled.stepOptions.at("data").get<std::string>(),
                 std::string("sixteen test pairs"));

        PartitionStepOptions partitionOptions;
        partitionOptions.partition.method = "metis";
        partitionOptions.partition.numExperts = 4;
        const auto partition = runPartitionStep(project, *m_model, partitionOptions, feedback);
        QCOMPARE(partition.name, std::string("metis"));  // the method names it by default
        QCOMPARE(partition.stepKey, std::string("partition:metis"));
        const auto set = loadPartitionSet(project.partitionPath("metis"));
        QCOMPARE(partitionHash(set), partitionHash(*partition.set));
        QCOMPARE(partition.experts.size(), std::size_t(4));  // 2 encoder + 2 decoder FFNs
        QCOMPARE(partitionHash(std::vector<uint64_t>{
                     partition.experts[0]->layoutHash(), partition.experts[1]->layoutHash(),
                     partition.experts[2]->layoutHash(), partition.experts[3]->layoutHash()}),
                 partitionHash(set));

        RouteStepOptions routeOptions;
        routeOptions.partition = "metis";
        routeOptions.training.kind = "similarity";
        routeOptions.tokens = 400;
        routeOptions.data = tinyPairs();
        const auto route = runRouteStep(project, *m_model, routeOptions, feedback);
        QCOMPARE(route.name, std::string("metis-similarity"));
        QCOMPARE(route.stepOptions.at("partition").get<std::string>(), std::string("metis"));
        QVERIFY(!route.set->contentHash.empty());

        // The project's MoE, loaded from the files, is the one the steps made.
        const ProjectMoe moe = loadProjectMoe(project, "metis-similarity", m_model);
        QCOMPARE(moe.partitionName, std::string("metis"));
        QVERIFY(!moe.fineTuned);
        QCOMPARE(moe.model.get(), m_model.get());
        QCOMPARE(moe.routers->contentHash, route.set->contentHash);
        QCOMPARE(moe.numExperts(), 4);

        SweepStepOptions sweepOptions;
        sweepOptions.name = "metis-similarity";
        sweepOptions.testSet = ParallelCorpus{test::sixteenPairs(), "sixteen test pairs"};
        sweepOptions.sentenceLimit = 6;
        sweepOptions.ffnTokens = 200;
        sweepOptions.sweep.encoderKs = {1, 4};
        sweepOptions.sweep.timing.minRounds = sweepOptions.sweep.timing.maxRounds = 1;
        const auto sweep = runSweepStep(project, *m_model, moe, sweepOptions, feedback);
        QCOMPARE(sweep.sentences, std::size_t(6));
        QCOMPARE(sweep.sweep->rows.size(), std::size_t(2));
        const auto json = nlohmann::json::parse(readFileBytes(sweep.jsonPath));
        QCOMPARE(SweepResult::fromJson(json).toJson(), sweep.sweep->toJson());
        QCOMPARE(readFileBytes(sweep.csvPath), sweep.sweep->toCsv());
        QCOMPARE(sweep.sweep->partitionHash, partitionHash(set));
        QCOMPARE(sweep.sweep->routerHash, route.set->contentHash);
        // K = N computes every expert: no FFN error and the dense BLEU.
        QCOMPARE(sweep.sweep->rows[1].encoderK, 4);
        QVERIFY(sweep.sweep->rows[1].ffnError < 1e-5);
        QCOMPARE(sweep.sweep->rows[1].bleu, sweep.sweep->dense.bleu);
        QVERIFY(sweep.sweep->rows[0].ffnError > 1e-3);

        // The comparison table: only the Ks that exist for N = 4, over the counts asked for.
        sweepOptions.name = "metis-similarity-comparison";
        sweepOptions.comparison = true;
        sweepOptions.comparisonSentences = {2, 4};
        const auto table = runSweepStep(project, *m_model, moe, sweepOptions, feedback);
        QVERIFY(table.csvPath.empty() && !table.sweep);
        QCOMPARE(table.comparison->ks, (std::vector<int>{1, 2, 4}));
        QCOMPARE(table.comparison->sentenceCounts, (std::vector<int>{2, 4}));
        const auto tableJson = nlohmann::json::parse(readFileBytes(table.jsonPath));
        QCOMPARE(ComparisonTable::fromJson(tableJson).toJson(), table.comparison->toJson());
    }

    // Bad options stop before any work and leave no file behind.
    void badOptionsAreRefusedUpFront() {
        const Project project = freshProject("refusals");
        Feedback feedback;
        PartitionStepOptions options;
        options.partition.method = "spectral";
        QVERIFY(contains(errorOf([&] { validatePartitionStep(*m_model, options); }),
                         "metis, kmeans, importance or random, not 'spectral'"));
        options.partition.method = "kmeans";
        options.partition.numExperts = 3;  // d_ff = 64
        QVERIFY(contains(errorOf([&] { validatePartitionStep(*m_model, options); }),
                         "cannot split d_ff = 64 neurons into 3 experts"));
        options.partition.numExperts = 4;
        options.name = "../escape";
        QVERIFY(!errorOf([&] { validatePartitionStep(*m_model, options); }).empty());
        options.name.clear();
        options.partition.method = "importance";
        options.partition.sharedNeurons = 64;  // all of d_ff
        QVERIFY(contains(errorOf([&] { validatePartitionStep(*m_model, options); }), "shared"));

        // METIS without a profile says which step to run; nothing is written.
        options.partition.method = "metis";
        const std::string noProfile =
            errorOf([&] { runPartitionStep(project, *m_model, options, feedback); });
        QVERIFY2(contains(noProfile, "run the profile step first"), noProfile.c_str());
        QVERIFY(!fileExists(project.partitionPath("metis")));

        // A router over a partition that does not exist names it.
        RouteStepOptions route;
        route.partition = "none";
        route.data = tinyPairs();
        const std::string noPartition =
            errorOf([&] { runRouteStep(project, *m_model, route, feedback); });
        QVERIFY2(contains(noPartition, "partition 'none' does not exist"), noPartition.c_str());
        QVERIFY(!fileExists(project.routerPath("none-mlp")));
    }

    // A router whose partition was re-run with another N does not load: both files are named.
    void aMismatchedRouterIsRefused() {
        const Project project = freshProject("mismatch");
        Feedback feedback;
        PartitionStepOptions partition;
        partition.partition.method = "random";
        partition.partition.numExperts = 4;
        runPartitionStep(project, *m_model, partition, feedback);
        RouteStepOptions route;
        route.partition = "random";
        route.training.kind = "similarity";
        route.tokens = 300;
        route.data = tinyPairs();
        runRouteStep(project, *m_model, route, feedback);
        partition.partition.numExperts = 8;
        runPartitionStep(project, *m_model, partition, feedback);
        const std::string error =
            errorOf([&] { loadProjectMoe(project, "random-similarity", m_model); });
        QVERIFY2(contains(error, "routers/random-similarity.json") &&
                     contains(error, "partitions/random.json"),
                 error.c_str());
    }

    // Layers get the encoder K on the encoder's FFNs and the decoder K on the rest.
    void moeLayersTakeKPerSide() {
        const auto experts = test::tinyExperts(*m_model, "kmeans", 8);
        Feedback feedback;
        const auto inputs = collectFfnInputs(*m_model, test::sixteenPairs(), 300, feedback);
        RouterTrainingOptions similarity;
        similarity.kind = "similarity";
        const auto routers = trainRouters(experts, inputs, similarity, feedback);
        const auto layers = makeMoeLayers(experts, routers, 2, 3, 5, 0.4);
        QCOMPARE(layers.size(), std::size_t(4));
        QCOMPARE(layers[0]->k(), 3);
        QCOMPARE(layers[1]->k(), 3);
        QCOMPARE(layers[2]->k(), 5);
        QCOMPARE(layers[3]->k(), 5);
        QCOMPARE(layers[3]->threshold(), 0.4);
        RouterSet short_ = routers;
        short_.layers.pop_back();
        QVERIFY(contains(errorOf([&] { makeMoeLayers(experts, short_, 2, 1, 1); }),
                         "3 layers for 4 FFN layers"));
    }

    // What the encoder reads: the translator's own encoding, EOS last, cut to the positions.
    void sourcePiecesAreWhatTheEncoderReads() {
        QVERIFY(Translator::encodeSource(*m_model, " \t").empty());
        const auto ids = Translator::encodeSource(*m_model, "Ein Mann fährt Fahrrad.");
        const auto pieces = Translator::sourcePieces(*m_model, "Ein Mann fährt Fahrrad.");
        QCOMPARE(pieces.size(), ids.size());
        QCOMPARE(pieces.back(), std::string("</s>"));
        QCOMPARE(pieces.front(), m_model->tokenizer().piece(ids.front()));
        std::string longText;
        for (int i = 0; i < 200; ++i) {
            longText += "Hund ";
        }
        // maxPositions 64: at most 62 pieces and EOS (one position stays for BOS in the decoder).
        QCOMPARE(Translator::encodeSource(*m_model, longText).size(), std::size_t(63));
    }
};

QTEST_APPLESS_MAIN(TestProjectSteps)
#include "test_ProjectSteps.moc"
