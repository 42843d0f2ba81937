#include "MoeTestSupport.h"

#include "moewb/moe/Sweep.h"
#include "moewb/project/ArtifactLineage.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

namespace {

PartitionSet randomPartition(NmtModel& model, int numExperts, uint64_t seed = 1) {
    Feedback feedback;
    ModelPartitionOptions options;
    options.method = "random";
    options.numExperts = numExperts;
    options.seed = seed;
    return partitionModel(model, nullptr, options, feedback);
}

// Similarity routers over `partition` saved as routers/NAME.json; returns the file's hash.
std::string saveRouters(const Project& project, NmtModel& model, const PartitionSet& partition,
                        const std::string& name) {
    Feedback feedback;
    const auto experts = buildExperts(model, partition);
    const auto inputs = collectFfnInputs(model, test::sixteenPairs(), 500, feedback);
    RouterTrainingOptions options;
    options.kind = "similarity";
    auto set = trainRouters(experts, inputs, options, feedback);
    set.partition = "random";
    return saveRouterSet(project.routerPath(name), set);
}

// A sweep file as `moewb sweep` writes it, with its parents' hashes.
void saveSweep(const Project& project, const std::string& name, const PartitionSet& partition,
               const std::string& routerHash) {
    SweepResult sweep;
    sweep.partition = "random";
    sweep.router = "similarity";
    sweep.numExperts = partition.layers.front().numExperts;
    sweep.partitionHash = partitionHash(partition);
    sweep.routerHash = routerHash;
    writeFileAtomic(project.sweepPath(name, "json"), sweep.toJson().dump(1));
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

class TestArtifactLineage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    // Re-running a partition with 8 experts orphans the router trained on its 16 (here 4) and
    // the sweep measured with both; the reasons name the files and the step to re-run.
    void aRepartitionOrphansItsRoutersAndSweeps() {
        QTemporaryDir dir;
        const auto project = Project::create(dir.filePath("p").toStdString(), "/m.moewb");
        auto model = test::tinyModel();
        const auto four = randomPartition(*model, 4);
        savePartitionSet(project.partitionPath("random"), four);
        const std::string routerHash = saveRouters(project, *model, four, "random-similarity");
        saveSweep(project, "random-similarity", four, routerHash);
        QVERIFY(findStaleArtifacts(project).empty());

        // The same options give the same partition: nothing becomes stale.
        savePartitionSet(project.partitionPath("random"), randomPartition(*model, 4));
        QVERIFY(findStaleArtifacts(project).empty());

        savePartitionSet(project.partitionPath("random"), randomPartition(*model, 8));
        const auto stale = findStaleArtifacts(project);
        QCOMPARE(stale.size(), std::size_t(2));
        QCOMPARE(stale[0].kind, StaleArtifact::Kind::Router);
        QCOMPARE(stale[0].name, std::string("random-similarity"));
        QVERIFY2(contains(stale[0].reason, project.routerPath("random-similarity")) &&
                     contains(stale[0].reason, project.partitionPath("random")) &&
                     contains(stale[0].reason, "moewb route"),
                 stale[0].reason.c_str());
        QCOMPARE(stale[1].kind, StaleArtifact::Kind::Sweep);
        QVERIFY2(contains(stale[1].reason, project.sweepPath("random-similarity", "json")) &&
                     contains(stale[1].reason, "moewb sweep"),
                 stale[1].reason.c_str());
    }

    // Re-training the router leaves the partition alone but orphans the sweep made with it.
    void aRetrainedRouterOrphansItsSweeps() {
        QTemporaryDir dir;
        const auto project = Project::create(dir.filePath("p").toStdString(), "/m.moewb");
        auto model = test::tinyModel();
        const auto four = randomPartition(*model, 4);
        savePartitionSet(project.partitionPath("random"), four);
        const std::string routerHash = saveRouters(project, *model, four, "r");
        saveSweep(project, "r", four, routerHash);
        // Sweeps written before the hashes were recorded are never called stale.
        SweepResult old;
        old.partition = "random";
        old.router = "similarity";
        writeFileAtomic(project.sweepPath("old", "json"), old.toJson().dump());
        QVERIFY(findStaleArtifacts(project).empty());

        auto document = nlohmann::json::parse(readFileBytes(project.routerPath("r")));
        document["layers"][0]["recall"][0] = 0.123;  // as a re-trained router differs
        writeFileAtomic(project.routerPath("r"), document.dump());
        const auto stale = findStaleArtifacts(project);
        QCOMPARE(stale.size(), std::size_t(1));
        QCOMPARE(stale[0].kind, StaleArtifact::Kind::Sweep);
        QCOMPARE(stale[0].name, std::string("r"));
        QVERIFY2(contains(stale[0].reason, "re-trained or removed"), stale[0].reason.c_str());
    }
};

QTEST_APPLESS_MAIN(TestArtifactLineage)
#include "test_ArtifactLineage.moc"
