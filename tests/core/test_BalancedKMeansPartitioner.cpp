#include "moewb/moe/BalancedKMeansPartitioner.h"
#include "moewb/moe/RandomPartitioner.h"
#include "moewb/util/Feedback.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>

using namespace moewb;

namespace {

// W1 rows scattered around planted unit directions (Gaussian noise of `noise` per coordinate),
// each row scaled by a random factor in [0.2, 5] (normalisation must undo it), in random order.
struct PlantedRows {
    WeightMatrix w1;
    std::vector<int> block;
    int blocks = 0;
};

PlantedRows plantedRows(int blocks, int blockSize, int dModel, float noise, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::uniform_real_distribution<float> scale(0.2f, 5.0f);
    WeightMatrix directions(blocks, dModel);
    for (int b = 0; b < blocks; ++b) {
        for (int d = 0; d < dModel; ++d) {
            directions(b, d) = gauss(rng);
        }
        directions.row(b).normalize();
    }
    PlantedRows planted;
    planted.blocks = blocks;
    for (int b = 0; b < blocks; ++b) {
        planted.block.insert(planted.block.end(), blockSize, b);
    }
    std::shuffle(planted.block.begin(), planted.block.end(), rng);
    const int n = blocks * blockSize;
    planted.w1.resize(n, dModel);
    for (int i = 0; i < n; ++i) {
        for (int d = 0; d < dModel; ++d) {
            planted.w1(i, d) = directions(planted.block[i], d) + noise * gauss(rng);
        }
        planted.w1.row(i) *= scale(rng);
    }
    return planted;
}

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

// Sum of squared distances of the normalised rows to their expert's mean.
double inertiaOf(const WeightMatrix& w1, const ExpertPartition& p) {
    double inertia = 0.0;
    for (const auto& expert : p.experts) {
        Eigen::MatrixXf rows(expert.size(), w1.cols());
        for (std::size_t r = 0; r < expert.size(); ++r) {
            rows.row(r) = w1.row(expert[r]).normalized();
        }
        const Eigen::RowVectorXf mean = rows.colwise().mean();
        inertia += (rows.rowwise() - mean).rowwise().squaredNorm().sum();
    }
    return inertia;
}

// The message of validate()'s std::invalid_argument, or "" when the partition is valid.
std::string invalidMessage(const ExpertPartition& p, int dFf) {
    try {
        p.validate(dFf);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

double costOf(const Eigen::MatrixXf& d, const std::vector<int>& assignment) {
    double cost = 0.0;
    for (std::size_t i = 0; i < assignment.size(); ++i) {
        cost += d(static_cast<Eigen::Index>(i), assignment[i]);
    }
    return cost;
}

// The least total cost over every assignment with equal cluster sizes, by enumeration.
double bruteForceOptimum(const Eigen::MatrixXf& d) {
    const int n = static_cast<int>(d.rows());
    const int k = static_cast<int>(d.cols());
    std::vector<int> room(static_cast<std::size_t>(k), n / k);
    double best = std::numeric_limits<double>::infinity();
    std::function<void(int, double)> place = [&](int i, double cost) {
        if (i == n) {
            best = std::min(best, cost);
            return;
        }
        for (int e = 0; e < k; ++e) {
            if (room[e] > 0) {
                --room[e];
                place(i + 1, cost + d(i, e));
                ++room[e];
            }
        }
    };
    place(0, 0.0);
    return best;
}

}  // namespace

class TestBalancedKMeansPartitioner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaults() {
        const KMeansPartitionOptions options;
        QCOMPARE(options.numExperts, 16);
        QCOMPARE(options.maxIterations, 50);
        QCOMPARE(options.seed, std::uint64_t{1});
        QCOMPARE(options.toJson()["max_iterations"].get<int>(), 50);
    }
    void balancedAssignmentIsOptimal() {
        std::mt19937_64 rng(4);
        std::uniform_real_distribution<float> uniform(0.0f, 4.0f);
        Feedback feedback;
        const std::vector<std::pair<int, int>> shapes = {{9, 3}, {8, 4}, {8, 2}, {12, 3}};
        for (const auto& [n, k] : shapes) {
            for (int trial = 0; trial < 10; ++trial) {
                Eigen::MatrixXf d(n, k);
                for (int i = 0; i < n; ++i) {
                    for (int e = 0; e < k; ++e) {
                        d(i, e) = uniform(rng);
                    }
                }
                const double optimum = bruteForceOptimum(d);
                // From the greedy start and from an arbitrary feasible start.
                std::vector<int> start(static_cast<std::size_t>(n));
                for (int i = 0; i < n; ++i) {
                    start[i] = i % k;
                }
                for (const auto& current : {std::vector<int>{}, start}) {
                    const std::vector<int> a = optimalBalancedAssignment(d, current, feedback);
                    std::vector<int> sizes(static_cast<std::size_t>(k), 0);
                    for (int e : a) {
                        ++sizes[e];
                    }
                    QCOMPARE(sizes, std::vector<int>(static_cast<std::size_t>(k), n / k));
                    QVERIFY2(
                        costOf(d, a) <= optimum + 1e-5,
                        QByteArray::number(costOf(d, a)) + " vs " + QByteArray::number(optimum));
                }
            }
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 optimalBalancedAssignment(Eigen::MatrixXf(10, 3), {}, feedback));
    }
    void recoversPlantedDirections() {
        const PlantedRows planted = plantedRows(8, 64, 64, 0.1f, 21);
        Feedback feedback;
        const ExpertPartition p =
            BalancedKMeansPartitioner({8, 50, 1}).partition(planted.w1, feedback);
        p.validate(512);
        QCOMPARE(p.method, std::string("kmeans"));
        QCOMPARE(feedback.progress(), 1.0);
        const double kmeansPurity = purity(p, planted.block, planted.blocks);
        const ExpertPartition random = RandomPartitioner({8, 1}).partition(512, feedback);
        const double randomPurity = purity(random, planted.block, planted.blocks);
        const double randomInertia = inertiaOf(planted.w1, random);
        qInfo(
            "planted 8x64 directions: k-means purity %.4f inertia %.2f (%g iterations); "
            "random purity %.4f inertia %.2f",
            kmeansPurity, p.quality.at("inertia"), p.quality.at("iterations"), randomPurity,
            randomInertia);
        QVERIFY2(kmeansPurity >= 0.95, QByteArray::number(kmeansPurity));
        QCOMPARE(p.quality.at("converged"), 1.0);
        QVERIFY(qAbs(p.quality.at("inertia") - inertiaOf(planted.w1, p)) < 1e-3);
        QVERIFY(p.quality.at("inertia") < 0.5 * randomInertia);
    }
    void exactSizesOnUnstructuredRows() {
        // Gaussian rows have no clusters: capacities alone must keep the sizes exact.
        const PlantedRows planted = plantedRows(1, 1024, 256, 1.0f, 8);
        Feedback feedback;
        const auto start = std::chrono::steady_clock::now();
        const ExpertPartition p = BalancedKMeansPartitioner().partition(planted.w1, feedback);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        p.validate(1024);
        for (const auto& expert : p.experts) {
            QCOMPARE(static_cast<int>(expert.size()), 64);
        }
        qInfo("d_ff 1024 x d_model 256, N 16: %.1f ms, %g iterations, inertia %.2f", ms,
              p.quality.at("iterations"), p.quality.at("inertia"));
    }
    void seededRunsAreReproducible() {
        const PlantedRows planted = plantedRows(16, 16, 32, 0.6f, 3);
        Feedback feedback;
        const auto a = BalancedKMeansPartitioner({16, 50, 5}).partition(planted.w1, feedback);
        const auto b = BalancedKMeansPartitioner({16, 50, 5}).partition(planted.w1, feedback);
        QCOMPARE(a.experts, b.experts);
        QCOMPARE(a.quality, b.quality);
    }
    // A zero row stays zero (docs/algorithms.md, "Balanced k-means"): it must not turn the
    // distances into NaN, which would scramble every assignment and the inertia with it.
    void zeroRowsAreAllowed() {
        PlantedRows planted = plantedRows(4, 8, 16, 0.1f, 6);
        planted.w1.row(3).setZero();
        planted.w1.row(17).setZero();
        Feedback feedback;
        const ExpertPartition p =
            BalancedKMeansPartitioner({4, 50, 1}).partition(planted.w1, feedback);
        QCOMPARE(invalidMessage(p, 32), std::string());
        for (const auto& expert : p.experts) {
            QCOMPARE(static_cast<int>(expert.size()), 8);
        }
        // The other 30 rows still find their planted directions: all but the two zero rows sit
        // with their own block (the zero rows fill whatever room is left).
        std::vector<int> truth = planted.block;
        int matched = 0;
        for (const auto& expert : p.experts) {
            std::vector<int> counts(4, 0);
            for (int neuron : expert) {
                if (neuron != 3 && neuron != 17) {
                    ++counts[std::size_t(truth[std::size_t(neuron)])];
                }
            }
            matched += *std::max_element(counts.begin(), counts.end());
        }
        QCOMPARE(matched, 30);
        const double inertia = p.quality.at("inertia");
        QVERIFY2(std::isfinite(inertia), QByteArray::number(inertia));
        QVERIFY(qAbs(inertia - inertiaOf(planted.w1, p)) < 1e-3);
    }
    void rejectsBadInput() {
        Feedback feedback;
        WeightMatrix w1 = WeightMatrix::Ones(64, 8);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 BalancedKMeansPartitioner({12, 50, 1}).partition(w1, feedback));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 BalancedKMeansPartitioner({4, 0, 1}).partition(w1, feedback));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            BalancedKMeansPartitioner({4, 50, 1}).partition(WeightMatrix(0, 8), feedback));
        w1(5, 2) = std::numeric_limits<float>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 BalancedKMeansPartitioner({4, 50, 1}).partition(w1, feedback));
    }
    void cancelThrows() {
        const PlantedRows planted = plantedRows(8, 64, 64, 0.3f, 2);
        Feedback cancelled;
        cancelled.cancel();
        QVERIFY_THROWS_EXCEPTION(OperationCancelled,
                                 BalancedKMeansPartitioner().partition(planted.w1, cancelled));
        CallbackFeedback* self = nullptr;
        CallbackFeedback midway([&](double, const std::string& message) {
            if (message.find("iteration 2") != std::string::npos) {
                self->cancel();
            }
        });
        midway.setThrottle(std::chrono::milliseconds(0));
        self = &midway;
        QVERIFY_THROWS_EXCEPTION(
            OperationCancelled,
            BalancedKMeansPartitioner({8, 50, 1}).partition(planted.w1, midway));
    }
};

QTEST_APPLESS_MAIN(TestBalancedKMeansPartitioner)
#include "test_BalancedKMeansPartitioner.moc"
