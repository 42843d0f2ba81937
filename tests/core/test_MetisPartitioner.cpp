#include "moewb/moe/MetisPartitioner.h"
#include "moewb/moe/RandomPartitioner.h"
#include "moewb/util/Feedback.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

using namespace moewb;

namespace {

// A co-activation matrix with planted blocks: pairs inside a block fire together ~Poisson(within)
// times, pairs across blocks ~Poisson(across); neuron ids are shuffled so blocks are not ranges.
struct Planted {
    CoActivationMatrix c;
    std::vector<int> block;  // true block of each neuron
    int blocks = 0;
};

Planted plantedCoActivation(const std::vector<int>& blockSizes, double within, double across,
                            std::uint64_t seed) {
    Planted planted;
    planted.blocks = static_cast<int>(blockSizes.size());
    for (int b = 0; b < planted.blocks; ++b) {
        planted.block.insert(planted.block.end(), blockSizes[b], b);
    }
    std::mt19937_64 rng(seed);
    std::shuffle(planted.block.begin(), planted.block.end(), rng);
    const int n = static_cast<int>(planted.block.size());
    std::poisson_distribution<std::int64_t> inside(within), outside(across), own(4 * within);
    planted.c = CoActivationMatrix::Zero(n, n);
    for (int i = 0; i < n; ++i) {
        planted.c(i, i) = own(rng);
        for (int j = i + 1; j < n; ++j) {
            planted.c(i, j) = planted.block[i] == planted.block[j] ? inside(rng) : outside(rng);
            planted.c(j, i) = planted.c(i, j);
        }
    }
    return planted;
}

// For each expert, the count of its most common true block, summed, over d_ff.
double purity(const ExpertPartition& p, const std::vector<int>& truth, int blocks) {
    int matched = 0;
    int total = 0;
    for (const auto& expert : p.experts) {
        std::vector<int> counts(static_cast<std::size_t>(blocks), 0);
        for (int neuron : expert) {
            ++counts[truth[neuron]];
        }
        matched += *std::max_element(counts.begin(), counts.end());
        total += static_cast<int>(expert.size());
    }
    return static_cast<double>(matched) / total;
}

// The within-expert share of co-activation counted plainly from its definition
// (docs/algorithms.md, "Co-activation + METIS"): Σ C_ij over pairs i < j in one expert, over
// Σ C_ij over all pairs i < j. Independent of the partitioner's own counting.
double withinShareByHand(const CoActivationMatrix& c, const ExpertPartition& p) {
    std::vector<int> owner(static_cast<std::size_t>(c.rows()), -1);
    for (std::size_t e = 0; e < p.experts.size(); ++e) {
        for (int neuron : p.experts[e]) {
            owner[static_cast<std::size_t>(neuron)] = static_cast<int>(e);
        }
    }
    double within = 0.0;
    double total = 0.0;
    for (Eigen::Index i = 0; i < c.rows(); ++i) {
        for (Eigen::Index j = i + 1; j < c.cols(); ++j) {
            total += static_cast<double>(c(i, j));
            within += owner[std::size_t(i)] == owner[std::size_t(j)] ? double(c(i, j)) : 0.0;
        }
    }
    return within / total;
}

void checkExactSizes(const ExpertPartition& p, int dFf, int numExperts) {
    p.validate(dFf);
    QCOMPARE(p.numExperts, numExperts);
    for (const auto& expert : p.experts) {
        QCOMPARE(static_cast<int>(expert.size()), dFf / numExperts);
    }
}

}  // namespace

class TestMetisPartitioner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaults() {
        const MetisPartitionOptions options;
        QCOMPARE(options.numExperts, 16);
        QCOMPARE(options.neighbours, 32);
        QCOMPARE(options.seed, 1);
        QCOMPARE(options.toJson()["neighbours"].get<int>(), 32);
    }
    void recoversPlantedBlocksAndBeatsRandom() {
        const Planted planted = plantedCoActivation(std::vector<int>(8, 64), 50.0, 5.0, 11);
        Feedback feedback;
        const ExpertPartition p = MetisPartitioner({8, 32, 1}).partition(planted.c, feedback);
        checkExactSizes(p, 512, 8);
        QCOMPARE(p.method, std::string("metis"));
        QCOMPARE(feedback.progress(), 1.0);
        const double metisPurity = purity(p, planted.block, planted.blocks);
        const double metisShare = p.quality.at("intra_share");
        QVERIFY(std::abs(metisShare - withinShareByHand(planted.c, p)) < 1e-12);

        const ExpertPartition random = RandomPartitioner({8, 1}).partition(512, feedback);
        const double randomPurity = purity(random, planted.block, planted.blocks);
        const double randomShare = intraExpertShare(planted.c, random);
        qInfo(
            "planted 8x64: METIS purity %.4f intra_share %.4f (before balancing %.4f, %g moves);"
            " random purity %.4f intra_share %.4f",
            metisPurity, metisShare, p.quality.at("intra_share_metis"),
            p.quality.at("balance_moves"), randomPurity, randomShare);
        QVERIFY2(metisPurity >= 0.95, QByteArray::number(metisPurity));
        QVERIFY2(metisShare >= 3.0 * randomShare,
                 QByteArray::number(metisShare) + " vs random " + QByteArray::number(randomShare));
    }
    // Eight neurons, two cliques {0, 2, 4, 6} and {1, 3, 5, 7} (every pair inside fires together
    // 10 times) joined by one weak pair 0-1 (2 times). Counted by hand:
    //   pairs: 6 + 6 inside the cliques, 1 across -> 13 graph edges (all kept with 32 neighbours)
    //   total Σ_{i<j} C_ij = 12 · 10 + 2 = 122, within = 120 -> intra_share = 120 / 122
    //   METIS weights: the strongest edge (10) becomes 10^6, so the scale is 10^5 and the cut
    //   edge 0-1 weighs 2 · 10^5 = edge_cut; the cliques are already 4 + 4: no balancing moves.
    void qualityOfASmallGraphCountedByHand() {
        CoActivationMatrix c = CoActivationMatrix::Zero(8, 8);
        for (int i = 0; i < 8; ++i) {
            c(i, i) = 20;
            for (int j = i + 2; j < 8; j += 2) {
                c(i, j) = c(j, i) = 10;
            }
        }
        c(0, 1) = c(1, 0) = 2;
        Feedback feedback;
        const ExpertPartition p = MetisPartitioner({2, 32, 1}).partition(c, feedback);
        checkExactSizes(p, 8, 2);
        const std::vector<int> evens = {0, 2, 4, 6};
        const std::vector<int> odds = {1, 3, 5, 7};
        QVERIFY(p.experts[0] == evens || p.experts[0] == odds);
        QVERIFY(p.experts[1] == evens || p.experts[1] == odds);
        QCOMPARE(p.quality.at("intra_share"), 120.0 / 122.0);
        QCOMPARE(p.quality.at("intra_share_metis"), 120.0 / 122.0);
        QCOMPARE(p.quality.at("graph_edges"), 13.0);
        QCOMPARE(p.quality.at("edge_cut"), 200000.0);
        QCOMPARE(p.quality.at("balance_moves"), 0.0);
        // A split across the cliques, {0, 1, 2, 3} and {4, 5, 6, 7}: within = 2 (0-1) + 10 (0-2)
        // + 10 (1-3) + 10 (4-6) + 10 (5-7) = 42 of 122.
        ExpertPartition across;
        across.method = "test";
        across.numExperts = 2;
        across.experts = {{0, 1, 2, 3}, {4, 5, 6, 7}};
        QCOMPARE(intraExpertShare(c, across), 42.0 / 122.0);
    }
    void unevenBlocksAreBalancedToExactSizes() {
        // 16 planted blocks of 48 or 80 neurons: METIS follows the blocks, so balancing has work.
        std::vector<int> sizes;
        for (int b = 0; b < 16; ++b) {
            sizes.push_back(b % 2 == 0 ? 48 : 80);
        }
        const Planted planted = plantedCoActivation(sizes, 40.0, 4.0, 5);
        Feedback feedback;
        const auto start = std::chrono::steady_clock::now();
        const ExpertPartition p = MetisPartitioner().partition(planted.c, feedback);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        checkExactSizes(p, 1024, 16);
        qInfo("d_ff 1024, N 16: %.1f ms, intra_share %.4f, %g graph edges, %g moves", ms,
              p.quality.at("intra_share"), p.quality.at("graph_edges"),
              p.quality.at("balance_moves"));
    }
    void hubDominatedGraphIsBalancedExactly() {
        // Skewed firing rates (a few neurons fire on most tokens) make METIS 5.1's parts uneven:
        // the balancing pass must still reach exact sizes without losing to random.
        std::mt19937_64 rng(1);
        std::exponential_distribution<double> rates(1.0);
        std::vector<double> rate(1024);
        for (double& r : rate) {
            r = rates(rng);
        }
        CoActivationMatrix c = CoActivationMatrix::Zero(1024, 1024);
        for (int i = 0; i < 1024; ++i) {
            for (int j = i + 1; j < 1024; ++j) {
                std::poisson_distribution<std::int64_t> count(rate[i] * rate[j]);
                c(i, j) = c(j, i) = count(rng);
            }
        }
        Feedback feedback;
        const ExpertPartition p = MetisPartitioner({32, 32, 1}).partition(c, feedback);
        checkExactSizes(p, 1024, 32);
        const double randomShare =
            intraExpertShare(c, RandomPartitioner({32, 1}).partition(1024, feedback));
        qInfo(
            "hub-dominated d_ff 1024, N 32: intra_share %.4f (METIS parts %.4f, %g moves, "
            "recursive %g), random %.4f",
            p.quality.at("intra_share"), p.quality.at("intra_share_metis"),
            p.quality.at("balance_moves"), p.quality.at("recursive_bisection"), randomShare);
        QVERIFY(p.quality.at("intra_share") > 1.2 * randomShare);
        QVERIFY(std::abs(p.quality.at("intra_share") - withinShareByHand(c, p)) < 1e-12);
    }
    void balancingMovesLeastConnectedNeuronToBestUnderfullExpert() {
        // Experts {0,1,2,3}, {4,5}, {6}, {7} with capacity 2. Neuron 3 barely fires with 0..2
        // and mostly with 7, a bit with 6: it leaves first, for expert 3. Then 0, 1, 2 tie and
        // the lowest id goes to the only under-full expert left.
        CoActivationMatrix c = CoActivationMatrix::Zero(8, 8);
        auto set = [&](int i, int j, std::int64_t v) { c(i, j) = c(j, i) = v; };
        set(0, 1, 10);
        set(0, 2, 10);
        set(1, 2, 10);
        set(3, 0, 1);
        set(3, 1, 1);
        set(3, 2, 1);
        set(3, 6, 4);
        set(3, 7, 9);
        set(4, 5, 10);
        std::vector<int> assignment = {0, 0, 0, 0, 1, 1, 2, 3};
        Feedback feedback;
        QCOMPARE(balanceAssignment(c, 4, assignment, feedback), 2);
        QCOMPARE(assignment, (std::vector<int>{2, 0, 0, 3, 1, 1, 2, 3}));
        QCOMPARE(balanceAssignment(c, 4, assignment, feedback), 0);
        std::vector<int> bad = {0, 0, 0, 0, 1, 1, 2, 4};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, balanceAssignment(c, 4, bad, feedback));
    }
    void graphKeepsStrongestEdgesSymmetrisedAndScaled() {
        CoActivationMatrix c(4, 4);
        c << 9, 5, 1, 0,  //
            5, 9, 2, 0,   //
            1, 2, 9, 3,   //
            0, 0, 3, 9;
        Feedback feedback;
        const CoActivationGraph one = CoActivationGraph::build(c, 1, feedback);
        QCOMPARE(one.nodeCount(), 4);
        QCOMPARE(one.edgeCount(), 2);  // 0-1 and 2-3
        QCOMPARE(one.offsets, (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
        QCOMPARE(one.neighbours, (std::vector<std::int32_t>{1, 0, 3, 2}));
        QCOMPARE(one.weights, (std::vector<std::int32_t>{1000000, 1000000, 600000, 600000}));

        // keep 2: node 3 keeps only 2 (its one non-zero), but 1-2 and 0-2 come from the others.
        const CoActivationGraph two = CoActivationGraph::build(c, 2, feedback);
        QCOMPARE(two.edgeCount(), 4);
        QCOMPARE(two.offsets, (std::vector<std::int32_t>{0, 2, 4, 7, 8}));
        QCOMPARE(two.neighbours, (std::vector<std::int32_t>{1, 2, 0, 2, 0, 1, 3, 2}));
        QCOMPARE(two.weights[1], 200000);
    }
    void largeGraphWeightsFitMetisIntegers() {
        const Planted planted = plantedCoActivation(std::vector<int>(16, 64), 5000.0, 500.0, 3);
        Feedback feedback;
        const CoActivationGraph graph = CoActivationGraph::build(planted.c, 32, feedback);
        double total = 0.0;
        for (std::int32_t w : graph.weights) {
            QVERIFY(w >= 1 && w <= 1000000);
            total += w;
        }
        QVERIFY2(total <= 1e9 + graph.weights.size(), QByteArray::number(total));
        // Symmetric: every stored edge appears in the other direction with the same weight.
        for (int i = 0; i < graph.nodeCount(); ++i) {
            for (int e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) {
                const int j = graph.neighbours[e];
                const auto begin = graph.neighbours.begin() + graph.offsets[j];
                const auto end = graph.neighbours.begin() + graph.offsets[j + 1];
                const auto back = std::find(begin, end, i);
                QVERIFY(back != end);
                QCOMPARE(graph.weights[back - graph.neighbours.begin()], graph.weights[e]);
            }
        }
    }
    void seededRunsAreReproducible() {
        const Planted planted = plantedCoActivation(std::vector<int>(16, 64), 8.0, 6.0, 9);
        Feedback feedback;
        const auto a = MetisPartitioner({16, 32, 7}).partition(planted.c, feedback);
        const auto b = MetisPartitioner({16, 32, 7}).partition(planted.c, feedback);
        QCOMPARE(a.experts, b.experts);
        QCOMPARE(a.quality, b.quality);
    }
    void acceptsFlatRowMajorVectorWithoutCopy() {
        // The profiler keeps C as a flat row-major std::vector<int64_t>: wrap it, same result.
        const Planted planted = plantedCoActivation(std::vector<int>(4, 16), 30.0, 3.0, 4);
        const std::vector<std::int64_t> flat(planted.c.data(), planted.c.data() + 64 * 64);
        Feedback feedback;
        const MetisPartitioner metis({4, 32, 1});
        const auto fromMap =
            metis.partition(Eigen::Map<const CoActivationMatrix>(flat.data(), 64, 64), feedback);
        QCOMPARE(fromMap.experts, metis.partition(planted.c, feedback).experts);
        QCOMPARE(purity(fromMap, planted.block, planted.blocks), 1.0);
    }
    void allZeroCoActivationStillSplitsEvenly() {
        const CoActivationMatrix c = CoActivationMatrix::Zero(64, 64);
        Feedback feedback;
        const ExpertPartition p = MetisPartitioner({4, 32, 1}).partition(c, feedback);
        checkExactSizes(p, 64, 4);
        QCOMPARE(p.quality.at("intra_share"), 0.0);
        QCOMPARE(p.quality.at("graph_edges"), 0.0);
    }
    void rejectsBadInput() {
        Feedback feedback;
        const MetisPartitioner metis({4, 32, 1});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 metis.partition(CoActivationMatrix::Zero(8, 12), feedback));
        CoActivationMatrix asymmetric = CoActivationMatrix::Zero(8, 8);
        asymmetric(1, 2) = 3;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, metis.partition(asymmetric, feedback));
        CoActivationMatrix negative = CoActivationMatrix::Zero(8, 8);
        negative(2, 2) = -1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, metis.partition(negative, feedback));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            MetisPartitioner({16, 32, 1}).partition(CoActivationMatrix::Zero(100, 100), feedback));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            MetisPartitioner({6, 32, 1}).partition(CoActivationMatrix::Zero(96, 96), feedback));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            MetisPartitioner({4, 0, 1}).partition(CoActivationMatrix::Zero(8, 8), feedback));
    }
    void intraShareCountsSharedNeuronsAsWithin() {
        CoActivationMatrix c = CoActivationMatrix::Zero(5, 5);
        auto set = [&](int i, int j, std::int64_t v) { c(i, j) = c(j, i) = v; };
        set(0, 1, 6);  // within expert 0
        set(0, 2, 2);  // across
        set(2, 3, 4);  // within expert 1
        set(1, 4, 8);  // with the shared neuron: within
        ExpertPartition p;
        p.method = "test";
        p.numExperts = 2;
        p.experts = {{0, 1}, {2, 3}};
        p.shared = {4};
        QCOMPARE(intraExpertShare(c, p), 18.0 / 20.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 intraExpertShare(CoActivationMatrix::Zero(6, 6), p));
    }
    void cancelThrows() {
        const Planted planted = plantedCoActivation(std::vector<int>(8, 64), 50.0, 5.0, 2);
        Feedback cancelled;
        cancelled.cancel();
        QVERIFY_THROWS_EXCEPTION(OperationCancelled,
                                 MetisPartitioner({8, 32, 1}).partition(planted.c, cancelled));
        // Cancelled while running: as soon as METIS starts, the next check must stop it.
        CallbackFeedback* self = nullptr;
        CallbackFeedback midway([&](double fraction, const std::string&) {
            if (fraction >= 0.3) {
                self->cancel();
            }
        });
        self = &midway;
        QVERIFY_THROWS_EXCEPTION(OperationCancelled,
                                 MetisPartitioner({8, 32, 1}).partition(planted.c, midway));
    }
};

QTEST_APPLESS_MAIN(TestMetisPartitioner)
#include "test_MetisPartitioner.moc"
