#pragma once
// Co-activation + METIS partitioner, MoEfication's "co-activation graph split" (docs/algorithms.md,
// "Co-activation + METIS"). Neurons that fire on the same tokens belong in the same expert, so that
// a token's active neurons are concentrated in few experts. The co-activation counts become a
// sparse weighted graph, METIS cuts it into N parts with few heavy edges between parts, and a
// balancing pass makes every part exactly d_ff / N.
//
// Input format: the symmetric d_ff x d_ff co-activation count matrix C as 64-bit integers,
// row-major (the profiler's C = aᵀa). It is taken through Eigen::Ref, so callers can pass a
// CoActivationMatrix or wrap existing memory without a copy, e.g.
//   Eigen::Map<const CoActivationMatrix>(layer.coActivation.data(), dFf, dFf)  // LayerProfile
//   Eigen::Map<const CoActivationMatrix>(tensor.data_ptr<int64_t>(), dFf, dFf)
// The diagonal (a neuron's own firing count) is ignored.

#include "moewb/moe/ExpertPartition.h"

#include <Eigen/Core>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace moewb {

class Feedback;

using CoActivationMatrix =
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CoActivationRef = Eigen::Ref<const CoActivationMatrix>;

// Throws std::invalid_argument unless C is square, non-negative and symmetric.
void validateCoActivation(const CoActivationRef& coActivation);

// Within-expert share of co-activation: sum of C_ij over pairs i != j in the same expert divided
// by the sum of C_ij over all pairs i != j, on the full C. A shared neuron is in every expert, so
// its pairs count as within. 0 for a matrix without off-diagonal counts. Random partitions score
// about (m - 1) / (d_ff - 1); higher is better.
double intraExpertShare(const CoActivationRef& coActivation, const ExpertPartition& partition);

// The sparsified neuron graph METIS sees, in METIS's CSR form (0-based, both directions of each
// edge stored). Weights are positive integers: C_ij times `scale`, rounded, at least 1.
struct CoActivationGraph {
    std::vector<std::int32_t> offsets;     // xadj: node i's edges are [offsets[i], offsets[i+1])
    std::vector<std::int32_t> neighbours;  // adjncy
    std::vector<std::int32_t> weights;     // adjwgt
    double scale = 1.0;                    // integer weight per co-activation count

    int nodeCount() const { return offsets.empty() ? 0 : static_cast<int>(offsets.size()) - 1; }
    int edgeCount() const { return static_cast<int>(neighbours.size() / 2); }  // undirected

    // Keeps, for every node, its `keep` strongest edges (ties: lower neuron id); an edge stays if
    // either endpoint keeps it. Zero counts are no edge. Weights are scaled so the strongest kept
    // edge is about 1e6, but the total stays <= 1e9 because METIS sums weights (cut, contracted
    // edges) in its 32-bit idx_t. Throws std::invalid_argument for keep < 1 or an invalid C.
    static CoActivationGraph build(const CoActivationRef& coActivation, int keep,
                                   Feedback& feedback);
};

struct MetisPartitionOptions {
    int numExperts = 16;  // N: a power of two >= 2 dividing d_ff (default 16)
    int neighbours = 32;  // strongest edges kept per neuron before symmetrising (default 32)
    int seed = 1;         // METIS_OPTION_SEED; same seed and C give the same partition (default 1)

    nlohmann::json toJson() const;
};

class MetisPartitioner {
public:
    static constexpr const char* kMethod = "metis";

    explicit MetisPartitioner(MetisPartitionOptions options = {});
    const MetisPartitionOptions& options() const { return m_options; }

    // Partitions one FFN layer: METIS_PartGraphKway and METIS_PartGraphRecursive (same options;
    // 5.1's k-way can leave parts empty on hub-dominated graphs and usually cuts more), each
    // followed by balancing; the higher intra_share after balancing is kept.
    // Quality figures: "intra_share" (see intraExpertShare, after balancing),
    // "intra_share_metis" (METIS's parts before balancing), "edge_cut" (METIS's objective on the
    // scaled graph), "graph_edges" (undirected edges kept), "balance_moves" (neurons moved to
    // reach exact sizes), "recursive_bisection" (1 if that run won). Throws
    // std::invalid_argument for bad options or C, std::runtime_error if METIS fails,
    // OperationCancelled when cancelled.
    ExpertPartition partition(const CoActivationRef& coActivation, Feedback& feedback) const;

private:
    MetisPartitionOptions m_options;
};

// The balancing pass on its own (exposed for tests and for other partitioners' raw clusters):
// `assignment` gives each neuron an expert in [0, numExperts). While an expert holds more than
// d_ff / N neurons, the neuron of any over-full expert with the least connection to its own
// expert moves to the under-full expert it is most connected to. Connection = sum of C_ij over
// the expert's other neurons on the full C (not the sparsified graph: a neuron whose kept edges
// all lie in its own expert still has a best second home). Ties go to the lower id. Returns the
// number of moves.
int balanceAssignment(const CoActivationRef& coActivation, int numExperts,
                      std::vector<int>& assignment, Feedback& feedback);

}  // namespace moewb
