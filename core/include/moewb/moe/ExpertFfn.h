#pragma once
// One FFN layer cut into N experts (DESIGN.md §10). At construction the neurons are permuted so
// each expert is a contiguous block: W1 → [N, m, d], b1 → [N, m], W2ᵀ → [N, m, d] (m = d_ff/N).
// forward() computes only the selected experts of each token:
//     y = b2 + Σ_{e ∈ selected} relu(x·W1_eᵀ + b1_e)·W2_eᵀ
// Unselected experts are never multiplied (no dense product followed by a mask).

#include "moewb/nmt/Transformer.h"

#include <vector>

namespace moewb {

class ExpertFfn {
public:
    // How the selected experts are computed; Auto picks by the measured crossover.
    enum class Strategy {
        Auto,      // Gather below gatherThreshold() token×expert pairs, else Dispatch
        Gather,    // per token: gather its K weight blocks, batched matrix-vector products
        Dispatch,  // per expert: group its tokens, one matrix product each, index_add back
    };

    // `neuronOrder` lists every neuron once, expert by expert (numExperts blocks of equal size).
    ExpertFfn(const FeedForwardImpl& ffn, const std::vector<int>& neuronOrder, int numExperts);

    int numExperts() const { return m_numExperts; }
    int expertSize() const { return m_expertSize; }
    int dModel() const { return static_cast<int>(m_b2.size(0)); }
    // W1 cut into expert blocks [N, m, d] (routers derive centroids from it).
    const torch::Tensor& w1Blocks() const { return m_w1; }

    // x [T, d], experts [T, K] (int64 expert ids, distinct per row) -> [T, d].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& experts,
                          Strategy strategy = Strategy::Auto) const;
    // All experts: the dense FFN computed on the permuted weights.
    torch::Tensor dense(const torch::Tensor& x) const;
    // Oracle scores s_e = Σ_{j∈e} relu(h_j), [T, N] (needs the dense hidden layer: an upper
    // bound on what a router can know, and the label routers learn from).
    torch::Tensor oracleScores(const torch::Tensor& x) const;

    // Below this many token×expert pairs Gather wins over Dispatch (measured with
    // bench/expert_ffn_bench on the 2-core reference machine).
    static int64_t gatherThreshold() { return 64; }

private:
    torch::Tensor gather(const torch::Tensor& x, const torch::Tensor& experts) const;
    torch::Tensor dispatch(const torch::Tensor& x, const torch::Tensor& experts) const;

    int m_numExperts;
    int m_expertSize;
    torch::Tensor m_w1;   // [N, m, d]
    torch::Tensor m_b1;   // [N, m]
    torch::Tensor m_w2t;  // [N, m, d] (W2 transposed, so both products read rows)
    torch::Tensor m_b2;   // [d]
};

// The K highest-scoring experts per row of scores [T, N] -> [T, K] int64.
torch::Tensor topExperts(const torch::Tensor& scores, int k);

}  // namespace moewb
