#include "moewb/moe/RandomPartitioner.h"
#include "moewb/util/Feedback.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <stdexcept>

using namespace moewb;

class TestRandomPartitioner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyNeuronInExactlyOneExpertOfExactSize() {
        const std::vector<std::pair<int, int>> shapes = {{1024, 16}, {512, 8}, {96, 32}, {4, 4}};
        for (const auto& [dFf, n] : shapes) {
            Feedback feedback;
            const ExpertPartition p = RandomPartitioner({n, 7}).partition(dFf, feedback);
            p.validate(dFf);
            QCOMPARE(p.method, std::string("random"));
            QCOMPARE(p.numExperts, n);
            QCOMPARE(static_cast<int>(p.experts.size()), n);
            for (const auto& expert : p.experts) {
                QCOMPARE(static_cast<int>(expert.size()), dFf / n);
                QVERIFY(std::is_sorted(expert.begin(), expert.end()));
            }
            QCOMPARE(feedback.progress(), 1.0);
        }
    }
    void defaultsAreSixteenExpertsSeedOne() {
        const RandomPartitionOptions options;
        QCOMPARE(options.numExperts, 16);
        QCOMPARE(options.seed, std::uint64_t{1});
        QCOMPARE(options.toJson()["num_experts"].get<int>(), 16);
    }
    void rejectsBadExpertCounts() {
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 RandomPartitioner({12, 1}).partition(1024, feedback));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 RandomPartitioner({16, 1}).partition(1000, feedback));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 RandomPartitioner({1, 1}).partition(1024, feedback));
    }
    void seededRunsAreReproducible() {
        Feedback feedback;
        const auto a = RandomPartitioner({16, 42}).partition(1024, feedback);
        const auto b = RandomPartitioner({16, 42}).partition(1024, feedback);
        const auto c = RandomPartitioner({16, 43}).partition(1024, feedback);
        QCOMPARE(a.experts, b.experts);
        QVERIFY(a.experts != c.experts);
    }
    void actuallyShuffles() {
        // A permutation cut into blocks must not just be the identity's blocks: neighbours in id
        // land in the same expert about 1/N of the time.
        Feedback feedback;
        const auto owner = RandomPartitioner({16, 1}).partition(1024, feedback).expertOf();
        int sameAsNext = 0;
        for (int i = 0; i + 1 < 1024; ++i) {
            sameAsNext += owner[i] == owner[i + 1] ? 1 : 0;
        }
        QVERIFY2(sameAsNext < 150, QByteArray::number(sameAsNext));
    }
    void cancelThrows() {
        Feedback feedback;
        feedback.cancel();
        QVERIFY_THROWS_EXCEPTION(OperationCancelled, RandomPartitioner().partition(1024, feedback));
    }
};

QTEST_APPLESS_MAIN(TestRandomPartitioner)
#include "test_RandomPartitioner.moc"
