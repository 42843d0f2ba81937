#include "NmtTestSupport.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/util/AtomicFile.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

class TestArtifactFiles : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

private slots:
    void initTestCase() { torch::set_num_threads(2); }

    void profileRoundTripsExactly() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto profile = profileModel(*model, test::sixteenPairs(), ProfileOptions{}, feedback);
        saveProfile(path("p.bin"), profile);
        const auto loaded = loadProfile(path("p.bin"));
        QCOMPARE(loaded.layers.size(), profile.layers.size());
        QCOMPARE(loaded.targetTokens, profile.targetTokens);
        for (std::size_t l = 0; l < profile.layers.size(); ++l) {
            QCOMPARE(loaded.layers[l].name, profile.layers[l].name);
            QVERIFY(loaded.layers[l].activations == profile.layers[l].activations);
            QVERIFY(loaded.layers[l].coActivation == profile.layers[l].coActivation);
        }
    }

    void truncatedOrForeignProfileIsRefused() {
        auto model = test::tinyModel();
        Feedback feedback;
        saveProfile(path("t.bin"),
                    profileModel(*model, test::sixteenPairs(), ProfileOptions{}, feedback));
        const auto bytes = readFileBytes(path("t.bin"));
        writeFileAtomic(path("t.bin"), bytes.substr(0, bytes.size() / 2));
        try {
            loadProfile(path("t.bin"));
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY(std::string(e.what()).find("truncated") != std::string::npos);
        }
        writeFileAtomic(path("f.bin"), "hello world, not a profile");
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadProfile(path("f.bin")));
    }

    void everyMethodPartitionsEveryLayerAndRoundTrips() {
        auto model = test::tinyModel();
        Feedback feedback;
        const auto profile = profileModel(*model, test::sixteenPairs(), ProfileOptions{}, feedback);
        for (const char* method : {"metis", "kmeans", "random"}) {
            ModelPartitionOptions options;
            options.method = method;
            options.numExperts = 8;
            const auto set = partitionModel(*model, &profile, options, feedback);
            QCOMPARE(set.layers.size(), std::size_t(4));
            for (const auto& layer : set.layers) {
                layer.validate(64);
            }
            savePartitionSet(path("part.json"), set);
            const auto loaded = loadPartitionSet(path("part.json"));
            QCOMPARE(loaded.method, std::string(method));
            QCOMPARE(loaded.layerNames, set.layerNames);
            for (std::size_t l = 0; l < set.layers.size(); ++l) {
                QCOMPARE(loaded.layers[l].experts, set.layers[l].experts);
            }
        }
        ModelPartitionOptions metis;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 partitionModel(*model, nullptr, metis, feedback));
        metis.method = "magic";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 partitionModel(*model, &profile, metis, feedback));
    }
};

QTEST_APPLESS_MAIN(TestArtifactFiles)
#include "test_ArtifactFiles.moc"
