#pragma once
// One FFN layer cut into N experts (DESIGN.md §10). At construction the neurons are permuted so
// each expert is a contiguous block: W1 → [N, m, d], b1 → [N, m], W2ᵀ → [N, m, d] (m = d_ff/N,
// or (d_ff - s)/N with s shared neurons). forward() computes only the selected experts of each
// token, plus the s shared neurons (MoEBERT) that every token always uses:
//     y = b2 + relu(x·W1_sᵀ + b1_s)·W2_sᵀ + Σ_{e ∈ selected} relu(x·W1_eᵀ + b1_e)·W2_eᵀ
// Unselected experts are never multiplied (no dense product followed by a mask).

#include "moewb/moe/ExpertPartition.h"
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

    // `neuronOrder` lists every neuron once, expert by expert (numExperts blocks of equal size),
    // followed by the `sharedNeurons` neurons every token uses (ExpertPartition::permutation()).
    ExpertFfn(const FeedForwardImpl& ffn, const std::vector<int>& neuronOrder, int numExperts,
              int sharedNeurons = 0);
    // The layout of a validated partition (its experts, then its shared neurons).
    ExpertFfn(const FeedForwardImpl& ffn, const ExpertPartition& partition);

    int numExperts() const { return m_numExperts; }
    int expertSize() const { return m_expertSize; }
    // Neurons computed for every token besides the selected experts (0 without shared neurons).
    int sharedSize() const { return m_sharedSize; }
    int dModel() const { return static_cast<int>(m_b2.size(0)); }
    // Share of the dense FFN's multiply-adds spent with K experts selected: (s + K·m) / d_ff
    // (K/N without shared neurons), for the cost accounting shown to users.
    double flopsFraction(int k) const {
        return double(m_sharedSize + int64_t(k) * m_expertSize) /
               double(m_sharedSize + int64_t(m_numExperts) * m_expertSize);
    }
    // W1 cut into the non-shared expert blocks [N, m, d] (routers derive centroids from it).
    const torch::Tensor& w1Blocks() const { return m_w1; }

    // x [T, d], experts [T, K] (int64 expert ids, distinct per row) -> [T, d].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& experts,
                          Strategy strategy = Strategy::Auto) const;
    // All experts and the shared neurons: the dense FFN computed on the permuted weights.
    torch::Tensor dense(const torch::Tensor& x) const;
    // Oracle scores s_e = Σ_{j∈e} relu(h_j), [T, N] over the non-shared experts (needs the dense
    // hidden layer: an upper bound on what a router can know, and the label routers learn from).
    torch::Tensor oracleScores(const torch::Tensor& x) const;

    // Below this many token×expert pairs Gather wins over Dispatch (measured with
    // bench/expert_ffn_bench on the 2-core reference machine).
    // Measured with bench/expert_ffn_bench (2 cores, OpenBLAS): per-token gathering beat
    // dispatch only for a single token with K <= 2 (d_model 256); from 8 tokens on it was 2-45x
    // slower, and at d_model 512 dispatch won even for one token. So gather only tiny selections.
    static int64_t gatherThreshold() { return 3; }

private:
    torch::Tensor gather(const torch::Tensor& x, const torch::Tensor& experts) const;
    torch::Tensor dispatch(const torch::Tensor& x, const torch::Tensor& experts) const;
    // b2 plus the shared neurons' contribution, [T, d]: where every token's output starts.
    torch::Tensor base(const torch::Tensor& x) const;

    int m_numExperts;
    int m_expertSize;
    int m_sharedSize = 0;
    // All neurons in expert order, shared ones last: one product computes dense().
    torch::Tensor m_allW1;   // [N·m + s, d]
    torch::Tensor m_allB1;   // [N·m + s]
    torch::Tensor m_allW2t;  // [N·m + s, d] (W2 transposed, so both products read rows)
    torch::Tensor m_w1;      // [N, m, d] view of the expert rows of m_allW1
    torch::Tensor m_b1;      // [N, m]
    torch::Tensor m_w2t;     // [N, m, d]
    torch::Tensor m_b2;      // [d]
};

// The K highest-scoring experts per row of scores [T, N] -> [T, K] int64.
torch::Tensor topExperts(const torch::Tensor& scores, int k);

}  // namespace moewb
