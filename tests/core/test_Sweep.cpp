#include "NmtTestSupport.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/Sweep.h"

#include <QtTest>

using namespace moewb;

class TestSweep : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(2); }

    void sweepCoversEveryKAndFullKEqualsDense() {
        auto model = test::tinyModel();
        Feedback feedback;
        ModelPartitionOptions partition;
        partition.method = "random";
        partition.numExperts = 4;
        const auto experts =
            buildExperts(*model, partitionModel(*model, nullptr, partition, feedback));
        const auto inputs = collectFfnInputs(*model, test::sixteenPairs(), 100000, feedback);
        RouterTrainingOptions routerOptions;
        routerOptions.kind = "oracle";
        auto routers = trainRouters(experts, inputs, routerOptions, feedback);
        routers.partition = "random";
        ParallelCorpus test;
        test.pairs = test::sixteenPairs();
        SweepOptions options;
        options.decoding.maxLength = 12;
        const auto result = runSweep(*model, experts, routers, test, inputs, options, feedback);
        QCOMPARE(result.rows.size(), std::size_t(3));  // K = 1, 2, 4
        QCOMPARE(result.rows.back().encoderK, 4);
        QCOMPARE(result.rows.back().bleu, result.dense.bleu);
        QVERIFY(result.rows.back().ffnError < 1e-6);
        QVERIFY(result.rows.front().ffnError > result.rows[1].ffnError);
        QVERIFY(result.dense.ffnSeconds > 0 && result.dense.ffnSeconds < result.dense.seconds);
        QVERIFY(result.toCsv().rfind("partition,router,encoder_k", 0) == 0);
        QCOMPARE(result.toJson()["rows"].size(), std::size_t(3));

        options.grid = true;
        options.encoderKs = {1, 4};
        options.decoderKs = {2, 4};
        const auto grid = runSweep(*model, experts, routers, test, inputs, options, feedback);
        QCOMPARE(grid.rows.size(), std::size_t(4));
        QCOMPARE(grid.rows[1].encoderK, 1);
        QCOMPARE(grid.rows[1].decoderK, 4);

        const auto table = runComparisonTable(*model, experts, routers, test, {4, 8}, {1, 2},
                                              options.decoding, feedback);
        QCOMPARE(table.cells.size(), std::size_t(2));
        QCOMPARE(table.cells[0].size(), std::size_t(3));
        QVERIFY(table.toText().find("K=2") != std::string::npos);
        for (const auto& ffn : model->transformer()->feedForwards()) {
            QVERIFY(!ffn->override());  // the model is back to dense
        }
    }
};

QTEST_APPLESS_MAIN(TestSweep)
#include "test_Sweep.moc"
