#pragma once
// The decoder's incremental step for inference on raw memory. A greedy or beam step feeds 1 to a
// few dozen tokens through the decoder; in LibTorch each of its ~60 small operations costs more
// in dispatch than in arithmetic. StepDecoder runs the same step (TransformerImpl::decodeStep,
// which stays the reference the tests compare against) with the decode-size kernels
// (FfnKernels.h): key/value caches preallocated for the whole search, attention as plain loops
// over them, no tensor created per operation. An FFN with an override installed (MoE inference)
// goes through the override; a dense FFN through the kernels.

#include "moewb/nmt/HalfWeights.h"
#include "moewb/nmt/Transformer.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace moewb {

class StepDecoder {
public:
    // memory [B, S, d] and the additive source mask [B, 1, 1, S] from the encoder; `capacity` is
    // the most steps any row will take (the search's length limit).
    // With `half` (NmtModel::halfWeights()) the projections read its float16 copies: the same
    // results, half the bytes.
    StepDecoder(TransformerImpl& model, const torch::Tensor& memory, const torch::Tensor& srcMask,
                int64_t capacity, std::shared_ptr<const HalfWeights> half = nullptr);

    // One step: the token fed to each live row (int64 [rows]) -> logits [rows, V].
    torch::Tensor step(const torch::Tensor& tokens);
    // Keeps the rows `index` in that order (beam search reorders and repeats rows; finished
    // sentences are dropped).
    void select(const std::vector<int64_t>& index);

    int64_t rows() const { return m_rows; }
    int64_t steps() const { return m_step; }

private:
    void layerNorm(const torch::nn::LayerNormImpl& norm, const float* x, float* y) const;
    void attendCache(const float* q, const float* keys, const float* values, int64_t length,
                     const uint8_t* valid, float* context);
    void feedForward(std::size_t layer, const float* x, const torch::Tensor& tokens, float* y);
    // y [rows, outputs] = x·Wᵀ + b for the first `outputs` rows of weight w (float16 copy when
    // there is one).
    void linear(const float* x, int64_t inputs, const torch::Tensor& w, const float* b,
                int64_t outputs, float* y, bool relu = false) const;

    TransformerImpl& m_model;
    std::shared_ptr<const HalfWeights> m_half;
    int64_t m_d, m_heads, m_dh, m_sourceLength, m_capacity;
    int64_t m_rows;
    int64_t m_step = 0;
    std::vector<std::vector<float>> m_selfKeys, m_selfValues;  // per layer [rows, H, capacity, dh]
    std::vector<torch::Tensor> m_crossKeys, m_crossValues;     // per layer [rows, H, S, dh]
    std::vector<uint8_t> m_sourceValid;                        // [rows, S]: 1 for real tokens
    // Each decoder FFN's W2 transposed [d_ff, d], so the dense FFN skips zero hidden units just
    // as the experts do: float16 from m_half, else float32 copies made here.
    std::vector<const kernels::Half*> m_halfW2t;
    std::vector<std::vector<float>> m_floatW2t;
    // Per-step scratch, sized once.
    std::vector<float> m_x, m_normed, m_qkv, m_context, m_delta, m_hidden, m_scores;
};

}  // namespace moewb
