#include "NmtTestSupport.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/RouterSet.h"

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
        ModelPartitionOptions partition;
        partition.method = "kmeans";
        partition.numExperts = 8;
        const auto experts =
            buildExperts(*model, partitionModel(*model, nullptr, partition, feedback));
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback);
        QCOMPARE(inputs.size(), std::size_t(4));
        QVERIFY(inputs[0].size(0) > 100 && inputs[0].size(1) == 32);
        QTemporaryDir dir;
        for (const char* kind : {"mlp", "similarity", "oracle"}) {
            RouterTrainingOptions options;
            options.kind = kind;
            options.mlp.epochs = 3;
            auto set = trainRouters(experts, inputs, options, feedback);
            set.partition = "kmeans";
            QCOMPARE(set.quality[0].recall.size(), std::size_t(8));
            const std::string path = dir.filePath(QString(kind) + ".json").toStdString();
            saveRouterSet(path, set);
            const auto loaded = loadRouterSet(path, experts);
            QCOMPARE(loaded.kind, std::string(kind));
            for (std::size_t l = 0; l < experts.size(); ++l) {
                const auto a = topExperts(set.layers[l]->scores(inputs[l], *experts[l]), 2);
                const auto b = topExperts(loaded.layers[l]->scores(inputs[l], *experts[l]), 2);
                QVERIFY(torch::equal(a, b));
                QCOMPARE(loaded.quality[l].recall, set.quality[l].recall);
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestRouterSet)
#include "test_RouterSet.moc"
