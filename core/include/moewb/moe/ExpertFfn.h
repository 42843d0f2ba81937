#pragma once
// One FFN layer cut into N experts (docs/algorithms.md, "Expert layout"). At construction the
// neurons are permuted so each expert is a contiguous block: W1 → [N, m, d], b1 → [N, m],
// W2ᵀ → [N, m, d] (m = d_ff/N, or (d_ff - s)/N with s shared neurons). forward() computes only
// the selected experts of each token, plus the s shared neurons (MoEBERT) that every token
// always uses:
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
        Auto,      // Kernel up to kernelMaxTokens() tokens (when it can run), else Dispatch
        Kernel,    // one call on the raw expert blocks (FfnKernels.h), no LibTorch op per expert
        Dispatch,  // per expert: group its tokens, one LibTorch product each, index_add back
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
    // expertLayoutHash() of the neuron order it was built with: which partition this is.
    uint64_t layoutHash() const { return m_layoutHash; }
    // Share of the dense FFN's multiply-adds spent with K experts selected: (s + K·m) / d_ff
    // (K/N without shared neurons), for the cost accounting shown to users.
    double flopsFraction(int k) const {
        return double(m_sharedSize + int64_t(k) * m_expertSize) /
               double(m_sharedSize + int64_t(m_numExperts) * m_expertSize);
    }
    // W1 cut into the non-shared expert blocks [N, m, d] (routers derive centroids from it).
    const torch::Tensor& w1Blocks() const { return m_w1; }
    const torch::Tensor& b1Blocks() const { return m_b1; }  // [N, m]

    // x [T, d], experts [T, K] (int64 expert ids, distinct per row) -> [T, d].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& experts,
                          Strategy strategy = Strategy::Auto) const;
    // All experts and the shared neurons: the dense FFN computed on the permuted weights.
    torch::Tensor dense(const torch::Tensor& x) const;
    // Oracle scores s_e = Σ_{j∈e} relu(h_j), [T, N] over the non-shared experts (needs the dense
    // hidden layer: an upper bound on what a router can know, and the label routers learn from).
    torch::Tensor oracleScores(const torch::Tensor& x) const;

    // Up to this many tokens the kernels run (rows split between the threads). bench/
    // expert_ffn_bench measured them faster than LibTorch's per-expert dispatch at every size it
    // tries, 1 to 512 tokens (1.8x at 512); beyond 2048 tokens (profiling-sized batches) the
    // dispatch's larger products are left to LibTorch.
    static int64_t kernelMaxTokens() { return 2048; }
    // The dense FFN (all experts) takes the kernels only up to this many tokens: beyond, the
    // two-thread BLAS product is as fast or faster (bench/expert_ffn_bench: kernel 0.45 ms vs
    // LibTorch 0.45 ms at 32 tokens, 2.06 vs 1.17 ms at 128 on the (256, 1024) layer).
    static int64_t denseKernelMaxTokens() { return 48; }
    // Whether the kernels can take x: float32 [T, d] with T <= kernelMaxTokens() and no gradient
    // to record.
    static bool kernelCanRun(const torch::Tensor& x);

    // The kernel path on raw memory: x [rows, d] row-major, experts [rows, k] expert ids (each
    // row distinct; -1 marks an empty slot, for tokens that take fewer experts under dynamic K),
    // y [rows, d] (overwritten). k = 0 with experts null computes the dense FFN.
    void forwardRows(const float* x, int64_t rows, const int64_t* experts, int k, float* y) const;

    // Whether the kernels read float16 copies of the blocks (the weights are float16 values).
    bool usesHalfWeights() const { return !m_halfW1.empty(); }

private:
    template <typename W>
    void forwardRowsWith(const W* w1, const W* w2t, const float* x, int64_t rows,
                         const int64_t* experts, int k, float* y) const;
    torch::Tensor dispatch(const torch::Tensor& x, const torch::Tensor& experts) const;
    // b2 plus the shared neurons' contribution, [T, d]: where every token's output starts.
    torch::Tensor base(const torch::Tensor& x) const;

    int m_numExperts;
    int m_expertSize;
    int m_sharedSize = 0;
    uint64_t m_layoutHash = 0;
    // All neurons in expert order, shared ones last: one product computes dense().
    torch::Tensor m_allW1;   // [N·m + s, d]
    torch::Tensor m_allB1;   // [N·m + s]
    torch::Tensor m_allW2t;  // [N·m + s, d] (W2 transposed, so both products read rows)
    torch::Tensor m_w1;      // [N, m, d] view of the expert rows of m_allW1
    torch::Tensor m_b1;      // [N, m]
    torch::Tensor m_w2t;     // [N, m, d]
    torch::Tensor m_b2;      // [d]
    std::vector<uint16_t> m_halfW1, m_halfW2t;  // float16 copies when exact, else empty
};

// The K highest-scoring experts per row of scores [T, N] -> [T, K] int64.
torch::Tensor topExperts(const torch::Tensor& scores, int k);

}  // namespace moewb
