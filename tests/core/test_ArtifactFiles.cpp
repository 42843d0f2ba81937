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

private Q_SLOTS:
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

    // Found by tests/fuzz (fuzz_profile): a huge header size wrapped the bounds check, a header
    // with missing or mistyped fields let nlohmann's exceptions escape, and counts above the
    // token count overflowed the sums over them.
    void corruptProfileHeadersAreOneLineErrors() {
        // magic, version 1, header size (the header's own unless given), header, then `extra`
        // zero bytes of counts.
        auto profile = [](const std::string& header, std::size_t extra = 0,
                          uint64_t headerSize = 0) {
            std::string bytes = "MOEWBPRF";
            const uint32_t version = 1;
            headerSize = headerSize ? headerSize : header.size();
            bytes.append(reinterpret_cast<const char*>(&version), 4);
            bytes.append(reinterpret_cast<const char*>(&headerSize), 8);
            return bytes + header + std::string(extra, '\0');
        };
        const std::string oneLayer = R"({"layers":[{"name":"encoder0","d_ff":2,"tokens":3}]})";
        const std::size_t oneLayerCounts = 2 * 8 + 2 * 2 * 4;
        const std::vector<std::string> files = {
            profile("{}", 0, ~uint64_t{0}),  // the size wrapped the bounds check
            profile("{}"),                   // no layers
            profile(R"({"layers":7})"),
            profile(R"({"layers":[{"name":"x"}]})"),
            profile(R"({"layers":[{"name":"x","d_ff":1e300,"tokens":1}]})"),
            profile(R"({"layers":[{"name":"x","d_ff":-4,"tokens":1}]})"),
            profile(R"({"layers":[{"name":"x","d_ff":4,"tokens":"many"}]})"),
            profile(oneLayer, oneLayerCounts - 1),
            profile(oneLayer, oneLayerCounts + 1),
            // A count above the layer's 3 tokens: sparsity() summed such counts past int64.
            profile(oneLayer) + std::string("\x04\0\0\0\0\0\0\0", 8) + std::string(8 + 16, '\0'),
            profile(oneLayer) + std::string(16 + 12, '\0') + std::string("\xff\xff\xff\xff", 4),
        };
        for (std::size_t i = 0; i < files.size(); ++i) {
            const std::string file = path(("corrupt" + std::to_string(i) + ".bin").c_str());
            writeFileAtomic(file, files[i]);
            try {
                loadProfile(file);
                QFAIL(("accepted corrupt profile " + std::to_string(i)).c_str());
            } catch (const std::runtime_error& e) {
                const std::string message = e.what();
                QVERIFY2(message.find(file) == 0 && message.find('\n') == std::string::npos,
                         message.c_str());
            }
        }
        writeFileAtomic(path("ok.bin"), profile(oneLayer, oneLayerCounts));
        QCOMPARE(loadProfile(path("ok.bin")).layers.at(0).coActivation.size(), std::size_t{4});
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
