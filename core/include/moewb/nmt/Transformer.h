#pragma once
// The Transformer encoder-decoder (docs/algorithms.md, "The model"), written with LibTorch's C++
// API: pre-norm, multi-head attention, a ReLU FFN with explicit W1/b1/W2/b2 tensors (MoEfication
// reaches in and permutes or splits them), sinusoidal positions, one embedding shared by source,
// target and the output projection. Decoding is incremental: DecoderCache keeps past keys/values.

#include "moewb/nmt/TransformerConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <vector>

namespace moewb {

class FeedForwardImpl;

// Replaces the dense FFN computation at run time (MoE inference, profiling hooks). Given the
// FFN's input x [tokens, d_model] it returns the FFN output [tokens, d_model].
class FfnOverride {
public:
    virtual ~FfnOverride() = default;
    virtual torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) = 0;
    // Same, with the token id of every row of x (int64 [tokens], same order as x's rows; padding
    // rows carry the pad id), or an undefined tensor when the caller does not know them. Routers
    // keyed on the token (the hash router) need this; the default ignores the ids.
    virtual torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x,
                                  const torch::Tensor& tokenIds) {
        (void)tokenIds;
        return forward(ffn, x);
    }
};

// What each FFN of a model computes during one call (docs/moe-quality.md,
// "The MoE plan is a value": the plan is passed with each translate / forward call; the shared
// model is never modified, so any number of threads translate with different plans at once).
// layers[i] is for the i-th FFN (encoder layers first); a null entry leaves that FFN as it is.
struct FfnPlan {
    std::vector<std::shared_ptr<FfnOverride>> layers;
};

// Makes `plan` the plan of every FFN call on this thread until the scope ends (scopes nest; null
// means none). The decoding paths run their FFNs on the calling thread, so the plan reaches them.
class FfnPlanScope {
public:
    explicit FfnPlanScope(const FfnPlan* plan);
    ~FfnPlanScope();
    FfnPlanScope(const FfnPlanScope&) = delete;
    FfnPlanScope& operator=(const FfnPlanScope&) = delete;
    static const FfnPlan* current();

private:
    const FfnPlan* m_previous;
};

// ReLU feed-forward: relu(x·W1ᵀ + b1)·W2ᵀ + b2, W1 [d_ff, d_model], W2 [d_model, d_ff].
class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int dModel, int dFf);
    // x [..., d_model]; tokenIds (optional) holds the token id of each position of x's leading
    // dimensions, for the override (see FfnOverride).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& tokenIds = {});
    torch::Tensor dense(const torch::Tensor& x) const;  // always the full dense FFN, in LibTorch
    // The dense FFN the fastest way for x's size (the kernels up to kKernelRows rows without
    // gradients, else dense()), ignoring overrides: what forward() does without one.
    torch::Tensor computeDense(const torch::Tensor& x) const;
    // Up to this many rows forward() computes without gradients through the decode-size kernels
    // (FfnKernels.h) instead of dense(): the same values within float rounding.
    static constexpr int64_t kKernelRows = 48;
    // A hook installed on this module (profiling captures, the fine-tuner's training FFN, the
    // legacy installMoe); prefer an FfnPlan for anything done to a shared model.
    void setOverride(std::shared_ptr<FfnOverride> override) { m_override = std::move(override); }
    const std::shared_ptr<FfnOverride>& override() const { return m_override; }
    // What forward() runs instead of the dense FFN: this thread's plan entry for this FFN, else
    // the installed override, else null.
    FfnOverride* activeOverride() const;
    // Position among the model's FFNs (encoder layers first), set by the Transformer.
    int index() const { return m_index; }
    void setIndex(int index) { m_index = index; }

    torch::Tensor w1, b1, w2, b2;

private:
    std::shared_ptr<FfnOverride> m_override;
    int m_index = -1;
};
TORCH_MODULE(FeedForward);

// Multi-head attention with one packed input projection [3d, d] (q, k, v rows).
class MultiHeadAttentionImpl : public torch::nn::Module {
public:
    MultiHeadAttentionImpl(int dModel, int heads, double dropout);
    // Self-attention over x [B, T, d]; `mask` is additive, broadcastable to [B, H, T, T].
    torch::Tensor selfAttention(const torch::Tensor& x, const torch::Tensor& mask);
    // Projects x to keys/values [B, H, T, dh] (for caches).
    std::pair<torch::Tensor, torch::Tensor> keysValues(const torch::Tensor& x);
    torch::Tensor queries(const torch::Tensor& x);
    // Queries, keys and values of x in one product, each [B, H, T, dh].
    std::vector<torch::Tensor> queriesKeysValues(const torch::Tensor& x);
    // Attends queries [B, H, Tq, dh] over cached keys/values and applies the output projection.
    torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const torch::Tensor& mask);

    // The weights, for the raw-memory decoder (StepDecoder): in [3d, d] (q, k, v rows), out [d, d].
    const torch::Tensor& inWeight() const { return m_inWeight; }
    const torch::Tensor& inBias() const { return m_inBias; }
    const torch::Tensor& outWeight() const { return m_outWeight; }
    const torch::Tensor& outBias() const { return m_outBias; }
    int heads() const { return m_heads; }

private:
    torch::Tensor splitHeads(const torch::Tensor& x) const;  // [B, T, d] -> [B, H, T, dh]
    int m_dModel, m_heads;
    double m_dropout;
    torch::Tensor m_inWeight, m_inBias, m_outWeight, m_outBias;
};
TORCH_MODULE(MultiHeadAttention);

class EncoderLayerImpl : public torch::nn::Module {
public:
    EncoderLayerImpl(const TransformerConfig& config);
    // tokenIds [B, S] (optional) go to the FFN override.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& srcMask,
                          const torch::Tensor& tokenIds = {});
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    MultiHeadAttention attention{nullptr};
    FeedForward ffn{nullptr};

private:
    double m_dropout;
};
TORCH_MODULE(EncoderLayer);

class DecoderLayerImpl : public torch::nn::Module {
public:
    DecoderLayerImpl(const TransformerConfig& config);
    // Teacher-forced pass over the whole target prefix; tokenIds [B, T] (optional) go to the FFN
    // override.
    torch::Tensor forward(const torch::Tensor& y, const torch::Tensor& memory,
                          const torch::Tensor& causalMask, const torch::Tensor& srcMask,
                          const torch::Tensor& tokenIds = {});
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    MultiHeadAttention selfAttention{nullptr}, crossAttention{nullptr};
    FeedForward ffn{nullptr};

private:
    double m_dropout;
};
TORCH_MODULE(DecoderLayer);

// Keys/values of everything decoded so far, one entry per decoder layer.
struct DecoderCache {
    std::vector<torch::Tensor> selfKeys, selfValues;    // [B, H, t, dh]
    std::vector<torch::Tensor> crossKeys, crossValues;  // [B, H, S, dh]
    torch::Tensor srcMask;                              // additive [B, 1, 1, S]
    int64_t step = 0;                                   // target positions decoded
    // Keeps rows `index` (beam search reordering / dropping finished sentences).
    void select(const torch::Tensor& index);
};

class TransformerImpl : public torch::nn::Module {
public:
    explicit TransformerImpl(const TransformerConfig& config);
    const TransformerConfig& config() const { return m_config; }

    // Additive key mask [B, 1, 1, S]: 0 for tokens, -inf for padding.
    torch::Tensor sourceMask(const torch::Tensor& src) const;
    // src [B, S] (padded with kPadId) -> memory [B, S, d].
    torch::Tensor encode(const torch::Tensor& src, const torch::Tensor& srcMask);
    // Teacher forcing: tgtIn [B, T] -> final decoder states [B, T, d] (before the projection).
    torch::Tensor decodeStates(const torch::Tensor& tgtIn, const torch::Tensor& memory,
                               const torch::Tensor& srcMask);
    // Output projection (the shared embedding): states [..., d] -> logits [..., V].
    torch::Tensor project(const torch::Tensor& states) const;
    // Teacher forcing: tgtIn [B, T] -> logits [B, T, V].
    torch::Tensor decode(const torch::Tensor& tgtIn, const torch::Tensor& memory,
                         const torch::Tensor& srcMask);
    torch::Tensor forward(const torch::Tensor& src, const torch::Tensor& tgtIn);

    // Incremental decoding: the encoder output is projected once per sentence, then each step
    // feeds one token per row and returns logits [B, V] for the next position.
    DecoderCache startDecoding(const torch::Tensor& memory, const torch::Tensor& srcMask);
    torch::Tensor decodeStep(const torch::Tensor& tokens, DecoderCache& cache);

    // Every FFN, encoder layers first then decoder layers (the MoE engine's handle on them).
    std::vector<FeedForward> feedForwards() const;
    // The sinusoidal position table [maxPositions, d].
    const torch::Tensor& positions() const { return m_positions; }

    torch::nn::Embedding embedding{nullptr};
    std::vector<EncoderLayer> encoderLayers;
    std::vector<DecoderLayer> decoderLayers;
    torch::nn::LayerNorm encoderNorm{nullptr}, decoderNorm{nullptr};

private:
    torch::Tensor embed(const torch::Tensor& tokens, int64_t firstPosition) const;
    TransformerConfig m_config;
    torch::Tensor m_positions;  // [maxPositions, d] sinusoidal table (buffer)
};
TORCH_MODULE(Transformer);

}  // namespace moewb
