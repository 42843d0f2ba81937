#pragma once
// Balanced k-means partitioner (docs/algorithms.md, "Balanced k-means"): neurons whose input
// weights point the same way respond to the same tokens, so clustering the L2-normalised rows of W1
// groups them without any profiling. Clusters are forced to exactly d_ff / N members so experts
// stack into one tensor.
//
// Input format: W1 as a row-major float matrix of d_ff rows (neurons) by d_model columns, taken
// through Eigen::Ref, so a torch Linear weight [d_ff, d_model] can be wrapped without a copy:
//   Eigen::Map<const WeightMatrix>(w1.data_ptr<float>(), dFf, dModel)

#include "moewb/moe/ExpertPartition.h"

#include <Eigen/Core>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace moewb {

class Feedback;

using WeightMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using WeightRef = Eigen::Ref<const WeightMatrix>;

struct KMeansPartitionOptions {
    int numExperts = 16;     // N: a power of two >= 2 dividing d_ff (default 16)
    int maxIterations = 50;  // assignment/update rounds at most (default 50)
    std::uint64_t seed =
        1;  // seeds k-means++ (std::mt19937_64); same seed, same result (default 1)

    nlohmann::json toJson() const;
};

class BalancedKMeansPartitioner {
public:
    static constexpr const char* kMethod = "kmeans";

    explicit BalancedKMeansPartitioner(KMeansPartitionOptions options = {});
    const KMeansPartitionOptions& options() const { return m_options; }

    // Partitions one FFN layer from its W1 (d_ff x d_model). Rows are L2-normalised first (an
    // all-zero row stays zero); centres start from greedy k-means++ (the best of 2 + ln N
    // seeded D^2 draws per centre, as scikit-learn does). Each round assigns points to the nearest
    // centroids under an exact capacity of d_ff / N (optimal for the given centroids, see
    // optimalBalancedAssignment) and moves each centroid to the mean of its members, until no
    // assignment changes or maxIterations. Quality: "inertia" (sum of squared distances of the
    // normalised rows to their expert's mean), "iterations", "converged" (1 or 0). Throws
    // std::invalid_argument for bad options, an empty or non-finite W1; OperationCancelled when
    // cancelled.
    ExpertPartition partition(const WeightRef& w1, Feedback& feedback) const;

private:
    KMeansPartitionOptions m_options;
};

// The capacity-constrained assignment step on its own: given squared distances (points x
// clusters, every cluster taking exactly points / clusters), returns each point's cluster with
// the least total distance. Starts from `current` if it is a feasible assignment (so the result
// differs from it only where that strictly lowers the total, and k-means can stop when nothing
// changes), else from a greedy one (all pairs by ascending distance, respecting capacities);
// then cancels negative cycles on the cluster graph (edge a -> b costs the cheapest move of one
// point from a to b), which is exact for this transportation problem.
std::vector<int> optimalBalancedAssignment(const Eigen::MatrixXf& distances,
                                           const std::vector<int>& current, Feedback& feedback);

}  // namespace moewb
