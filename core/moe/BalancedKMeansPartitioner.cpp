#include "moewb/moe/BalancedKMeansPartitioner.h"

#include "moewb/util/Feedback.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>

namespace moewb {

namespace {

// A cycle must lower the total squared distance by more than this to be applied; smaller gains
// are float noise and would only make the search loop.
constexpr double kMinGain = 1e-9;

// Uniform double in [0, 1) from the raw generator (std::uniform_real_distribution's output is
// implementation-defined; this keeps seeded runs identical across standard libraries).
double unitDouble(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

bool isFeasible(const std::vector<int>& assignment, int points, int clusters) {
    if (static_cast<int>(assignment.size()) != points) {
        return false;
    }
    std::vector<int> sizes(static_cast<std::size_t>(clusters), 0);
    for (int cluster : assignment) {
        if (cluster < 0 || cluster >= clusters) {
            return false;
        }
        ++sizes[cluster];
    }
    return std::all_of(sizes.begin(), sizes.end(),
                       [&](int size) { return size == points / clusters; });
}

std::vector<int> greedyAssignment(const Eigen::MatrixXf& d) {
    const int n = static_cast<int>(d.rows());
    const int k = static_cast<int>(d.cols());
    std::vector<std::tuple<float, int, int>> pairs;
    pairs.reserve(static_cast<std::size_t>(n) * k);
    for (int i = 0; i < n; ++i) {
        for (int e = 0; e < k; ++e) {
            pairs.emplace_back(d(i, e), i, e);
        }
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<int> assignment(static_cast<std::size_t>(n), -1);
    std::vector<int> room(static_cast<std::size_t>(k), n / k);
    int left = n;
    for (const auto& [distance, i, e] : pairs) {
        if (assignment[i] < 0 && room[e] > 0) {
            assignment[i] = e;
            --room[e];
            if (--left == 0) {
                break;
            }
        }
    }
    return assignment;
}

// Cheapest move of one point out of cluster a into each other cluster, for cycle cancelling.
struct ClusterGraph {
    int k;
    std::vector<double> cost;  // k x k; cost[a * k + b] = min over i in a of d(i,b) - d(i,a)
    std::vector<int> point;    // k x k; the i attaining it

    void updateRow(int a, const std::vector<int>& members, const Eigen::MatrixXf& d) {
        for (int b = 0; b < k; ++b) {
            cost[a * k + b] = std::numeric_limits<double>::infinity();
            point[a * k + b] = -1;
        }
        for (int i : members) {
            const double here = d(i, a);
            for (int b = 0; b < k; ++b) {
                const double delta = static_cast<double>(d(i, b)) - here;
                if (b != a && delta < cost[a * k + b]) {
                    cost[a * k + b] = delta;
                    point[a * k + b] = i;
                }
            }
        }
    }

    // A cycle of clusters with negative total cost (Bellman-Ford from a virtual source), as the
    // list of clusters in edge order, or empty when none exists.
    std::vector<int> negativeCycle() const {
        std::vector<double> dist(static_cast<std::size_t>(k), 0.0);
        std::vector<int> parent(static_cast<std::size_t>(k), -1);
        int relaxed = -1;
        for (int round = 0; round < k; ++round) {
            relaxed = -1;
            for (int a = 0; a < k; ++a) {
                for (int b = 0; b < k; ++b) {
                    const double c = cost[a * k + b];
                    if (a != b && point[a * k + b] >= 0 && dist[a] + c < dist[b] - 1e-12) {
                        dist[b] = dist[a] + c;
                        parent[b] = a;
                        relaxed = b;
                    }
                }
            }
            if (relaxed < 0) {
                return {};
            }
        }
        int x = relaxed;
        for (int step = 0; step < k && x >= 0; ++step) {
            x = parent[x];  // walk back until surely on the cycle
        }
        if (x < 0) {
            return {};  // cannot happen after k relaxing rounds; never follow a broken chain
        }
        std::vector<int> cycle{x};
        for (int y = parent[x]; y != x; y = parent[y]) {
            if (y < 0 || static_cast<int>(cycle.size()) > k) {
                return {};
            }
            cycle.push_back(y);
        }
        std::reverse(cycle.begin(), cycle.end());  // parent order -> edge order
        return cycle;
    }
};

// Index drawn with probability proportional to weights (all >= 0, sum > 0).
int drawWeighted(const Eigen::VectorXd& weights, double total, std::mt19937_64& rng) {
    const double target = unitDouble(rng) * total;
    double cumulative = 0.0;
    int last = -1;
    for (int i = 0; i < weights.size(); ++i) {
        if (weights(i) > 0.0) {
            cumulative += weights(i);
            last = i;
            if (cumulative > target) {
                return i;
            }
        }
    }
    return last;  // rounding left the draw past the end
}

// Greedy k-means++ (as scikit-learn does it): every next centre is the best, by the resulting
// sum of squared distances, of 2 + ln k candidates drawn with probability proportional to the
// squared distance to the nearest centre so far. Plain k-means++ often puts two centres in one
// tight cluster and none in another, a local optimum that balanced Lloyd steps cannot leave.
Eigen::MatrixXf kMeansPlusPlus(const Eigen::MatrixXf& x, int k, std::mt19937_64& rng) {
    const int n = static_cast<int>(x.rows());
    const int candidates = 2 + static_cast<int>(std::log(static_cast<double>(k)));
    auto distancesTo = [&](int i) -> Eigen::VectorXd {
        return (x.rowwise() - x.row(i)).rowwise().squaredNorm().cast<double>();
    };
    Eigen::MatrixXf centroids(k, x.cols());
    int chosen = static_cast<int>(rng() % static_cast<std::uint64_t>(n));
    centroids.row(0) = x.row(chosen);
    Eigen::VectorXd nearest = distancesTo(chosen);
    for (int c = 1; c < k; ++c) {
        const double total = nearest.sum();
        if (total <= 0.0) {  // every point sits on a centre already: duplicates are harmless
            centroids.row(c) = x.row(chosen);
            continue;
        }
        double bestPotential = std::numeric_limits<double>::infinity();
        Eigen::VectorXd bestNearest;
        for (int t = 0; t < candidates; ++t) {
            const int candidate = drawWeighted(nearest, total, rng);
            Eigen::VectorXd updated = nearest.cwiseMin(distancesTo(candidate));
            const double potential = updated.sum();
            if (potential < bestPotential) {
                bestPotential = potential;
                bestNearest = std::move(updated);
                chosen = candidate;
            }
        }
        centroids.row(c) = x.row(chosen);
        nearest = std::move(bestNearest);
    }
    return centroids;
}

}  // namespace

std::vector<int> optimalBalancedAssignment(const Eigen::MatrixXf& d,
                                           const std::vector<int>& current, Feedback& feedback) {
    const int n = static_cast<int>(d.rows());
    const int k = static_cast<int>(d.cols());
    if (k < 1 || n < k || n % k != 0) {
        throw std::invalid_argument(
            "balanced assignment needs a positive number of clusters "
            "dividing the number of points (got " +
            std::to_string(n) + " points, " + std::to_string(k) + " clusters)");
    }
    std::vector<int> assignment = isFeasible(current, n, k) ? current : greedyAssignment(d);

    std::vector<std::vector<int>> members(static_cast<std::size_t>(k));
    for (int i = 0; i < n; ++i) {
        members[assignment[i]].push_back(i);
    }
    ClusterGraph graph{k, std::vector<double>(static_cast<std::size_t>(k) * k),
                       std::vector<int>(static_cast<std::size_t>(k) * k)};
    for (int a = 0; a < k; ++a) {
        graph.updateRow(a, members[a], d);
    }
    // Every applied cycle lowers the total by > kMinGain, so this terminates; the cap only
    // guards against pathological inputs (the assignment stays feasible either way).
    const long long maxCycles = 20LL * n + 1000;
    for (long long round = 0; round < maxCycles; ++round) {
        if (round % 64 == 0) {
            feedback.throwIfCancelled();
        }
        const std::vector<int> cycle = graph.negativeCycle();
        double gain = 0.0;
        for (std::size_t s = 0; s < cycle.size(); ++s) {
            gain -= graph.cost[cycle[s] * k + cycle[(s + 1) % cycle.size()]];
        }
        if (cycle.empty() || gain <= kMinGain) {
            break;
        }
        std::vector<int> moving(cycle.size());
        for (std::size_t s = 0; s < cycle.size(); ++s) {
            moving[s] = graph.point[cycle[s] * k + cycle[(s + 1) % cycle.size()]];
        }
        for (std::size_t s = 0; s < cycle.size(); ++s) {
            const int from = cycle[s];
            const int to = cycle[(s + 1) % cycle.size()];
            auto& list = members[from];
            list.erase(std::find(list.begin(), list.end(), moving[s]));
            members[to].push_back(moving[s]);
            assignment[moving[s]] = to;
        }
        for (int a : cycle) {
            graph.updateRow(a, members[a], d);
        }
    }
    return assignment;
}

nlohmann::json KMeansPartitionOptions::toJson() const {
    return {{"num_experts", numExperts}, {"max_iterations", maxIterations}, {"seed", seed}};
}

BalancedKMeansPartitioner::BalancedKMeansPartitioner(KMeansPartitionOptions options)
    : m_options(options) {}

ExpertPartition BalancedKMeansPartitioner::partition(const WeightRef& w1,
                                                     Feedback& feedback) const {
    feedback.throwIfCancelled();
    const int n = static_cast<int>(w1.rows());
    const int k = m_options.numExperts;
    if (n == 0 || w1.cols() == 0) {
        throw std::invalid_argument("k-means partitioner: W1 is empty (" + std::to_string(n) +
                                    " x " + std::to_string(w1.cols()) + ")");
    }
    validatePartitionOptions(n, k);
    if (m_options.maxIterations < 1) {
        throw std::invalid_argument("k-means partitioner: max iterations must be >= 1 (got " +
                                    std::to_string(m_options.maxIterations) + ")");
    }
    if (!w1.allFinite()) {
        throw std::invalid_argument("k-means partitioner: W1 contains NaN or infinite values");
    }
    feedback.setProgress(0.0, "k-means: normalising W1 rows");

    Eigen::MatrixXf x = w1;
    for (int i = 0; i < n; ++i) {
        const float norm = x.row(i).norm();
        if (norm > 0.0f) {
            x.row(i) /= norm;
        }
    }
    const Eigen::VectorXf xNorms = x.rowwise().squaredNorm();

    std::mt19937_64 rng(m_options.seed);
    Eigen::MatrixXf centroids = kMeansPlusPlus(x, k, rng);

    std::vector<int> assignment;
    int iterations = 0;
    bool converged = false;
    const int size = n / k;
    while (iterations < m_options.maxIterations) {
        feedback.throwIfCancelled();
        feedback.setProgress(static_cast<double>(iterations) / m_options.maxIterations,
                             "k-means: iteration " + std::to_string(iterations + 1));
        ++iterations;
        // |x - c|^2 = |x|^2 + |c|^2 - 2 x.c, the cross term as one matrix product.
        Eigen::MatrixXf distances = -2.0f * (x * centroids.transpose());
        distances.colwise() += xNorms;
        distances.rowwise() += centroids.rowwise().squaredNorm().transpose();
        distances = distances.cwiseMax(0.0f);

        std::vector<int> next = optimalBalancedAssignment(distances, assignment, feedback);
        const bool changed = next != assignment;
        assignment = std::move(next);

        centroids.setZero();
        for (int i = 0; i < n; ++i) {
            centroids.row(assignment[i]) += x.row(i);
        }
        centroids /= static_cast<float>(size);
        if (!changed) {
            converged = true;
            break;
        }
    }

    ExpertPartition result;
    result.method = kMethod;
    result.numExperts = k;
    result.experts.assign(static_cast<std::size_t>(k), {});
    double inertia = 0.0;
    for (int i = 0; i < n; ++i) {
        result.experts[assignment[i]].push_back(i);
        inertia += (x.row(i) - centroids.row(assignment[i])).squaredNorm();
    }
    result.validate(n);
    result.quality["inertia"] = inertia;
    result.quality["iterations"] = iterations;
    result.quality["converged"] = converged ? 1.0 : 0.0;
    feedback.setProgress(1.0, "k-means partition done");
    return result;
}

}  // namespace moewb
