#include "moewb/nmt/Transformer.h"

#include "moewb/kernels/FfnKernels.h"
#include "moewb/nmt/BatchedMatmul.h"
#include "moewb/text/SentencePieceModel.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace moewb {
namespace F = torch::nn::functional;

// ---- FeedForward ------------------------------------------------------------------------------

FeedForwardImpl::FeedForwardImpl(int dModel, int dFf) {
    w1 = register_parameter("w1", torch::empty({dFf, dModel}));
    b1 = register_parameter("b1", torch::zeros({dFf}));
    w2 = register_parameter("w2", torch::empty({dModel, dFf}));
    b2 = register_parameter("b2", torch::zeros({dModel}));
    torch::nn::init::xavier_uniform_(w1);
    torch::nn::init::xavier_uniform_(w2);
}

torch::Tensor FeedForwardImpl::dense(const torch::Tensor& x) const {
    return torch::linear(torch::relu(torch::linear(x, w1, b1)), w2, b2);
}

namespace {
thread_local const FfnPlan* t_plan = nullptr;
}  // namespace

FfnPlanScope::FfnPlanScope(const FfnPlan* plan) : m_previous(t_plan) {
    t_plan = plan;
}

FfnPlanScope::~FfnPlanScope() {
    t_plan = m_previous;
}

const FfnPlan* FfnPlanScope::current() {
    return t_plan;
}

FfnOverride* FeedForwardImpl::activeOverride() const {
    if (t_plan && m_index >= 0 && static_cast<std::size_t>(m_index) < t_plan->layers.size() &&
        t_plan->layers[static_cast<std::size_t>(m_index)]) {
        return t_plan->layers[static_cast<std::size_t>(m_index)].get();
    }
    return m_override.get();
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x, const torch::Tensor& tokenIds) {
    if (FfnOverride* active = activeOverride()) {
        // Overrides work on a flat list of tokens; the ids are flattened in the same order.
        const auto shape = x.sizes().vec();
        const auto flat = x.reshape({-1, shape.back()});
        torch::Tensor ids;
        if (tokenIds.defined()) {
            ids = tokenIds.reshape({-1}).to(torch::kLong);
            if (ids.size(0) != flat.size(0)) {
                throw std::invalid_argument("the FFN got " + std::to_string(ids.size(0)) +
                                            " token ids for " + std::to_string(flat.size(0)) +
                                            " positions");
            }
        }
        auto out = active->forward(*this, flat, ids);
        return out.view(shape);
    }
    return computeDense(x);
}

torch::Tensor FeedForwardImpl::computeDense(const torch::Tensor& x) const {
    const int64_t rows = x.numel() / x.size(-1);
    if (!torch::GradMode::is_enabled() && x.scalar_type() == torch::kFloat && x.is_cpu() &&
        rows <= kKernelRows) {
        // A few rows (a sentence's encoder pass, a decoding step): the decode-size kernels beat
        // LibTorch's dispatch and threading here (bench/decode_step_bench).
        const auto in = x.contiguous();
        const int64_t d = w1.size(1), dFf = w1.size(0);
        thread_local std::vector<float> hidden;
        hidden.resize(static_cast<std::size_t>(rows * dFf));
        auto out = torch::empty(x.sizes(), torch::kFloat);
        kernels::linearRows(in.data_ptr<float>(), rows, d, d, w1.data_ptr<float>(),
                            b1.data_ptr<float>(), dFf, hidden.data(), dFf, true);
        kernels::linearRows(hidden.data(), rows, dFf, dFf, w2.data_ptr<float>(),
                            b2.data_ptr<float>(), d, out.data_ptr<float>(), d, false);
        return out;
    }
    return dense(x);
}

// ---- MultiHeadAttention -----------------------------------------------------------------------

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int dModel, int heads, double dropout)
    : m_dModel(dModel), m_heads(heads), m_dropout(dropout) {
    m_inWeight = register_parameter("in_weight", torch::empty({3 * dModel, dModel}));
    m_inBias = register_parameter("in_bias", torch::zeros({3 * dModel}));
    m_outWeight = register_parameter("out_weight", torch::empty({dModel, dModel}));
    m_outBias = register_parameter("out_bias", torch::zeros({dModel}));
    torch::nn::init::xavier_uniform_(m_inWeight);
    torch::nn::init::xavier_uniform_(m_outWeight);
}

torch::Tensor MultiHeadAttentionImpl::splitHeads(const torch::Tensor& x) const {
    const auto b = x.size(0), t = x.size(1);
    return x.view({b, t, m_heads, m_dModel / m_heads}).transpose(1, 2);
}

torch::Tensor MultiHeadAttentionImpl::queries(const torch::Tensor& x) {
    return splitHeads(
        torch::linear(x, m_inWeight.narrow(0, 0, m_dModel), m_inBias.narrow(0, 0, m_dModel)));
}

std::vector<torch::Tensor> MultiHeadAttentionImpl::queriesKeysValues(const torch::Tensor& x) {
    auto qkv = torch::linear(x, m_inWeight, m_inBias).chunk(3, -1);
    return {splitHeads(qkv[0]), splitHeads(qkv[1]), splitHeads(qkv[2])};
}

std::pair<torch::Tensor, torch::Tensor> MultiHeadAttentionImpl::keysValues(const torch::Tensor& x) {
    const auto kv = torch::linear(x, m_inWeight.narrow(0, m_dModel, 2 * m_dModel),
                                  m_inBias.narrow(0, m_dModel, 2 * m_dModel));
    auto parts = kv.chunk(2, -1);
    return {splitHeads(parts[0]), splitHeads(parts[1])};
}

torch::Tensor MultiHeadAttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& k,
                                             const torch::Tensor& v, const torch::Tensor& mask) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(m_dModel / m_heads));
    auto scores = batchedMatmul(q, k.transpose(-2, -1)).mul_(scale);
    if (mask.defined()) {
        scores = scores + mask;
    }
    auto weights = torch::softmax(scores, -1);
    if (is_training() && m_dropout > 0) {
        weights = torch::dropout(weights, m_dropout, true);
    }
    auto context = batchedMatmul(weights, v);  // [B, H, Tq, dh]
    const auto b = context.size(0), t = context.size(2);
    context = context.transpose(1, 2).reshape({b, t, m_dModel});
    return torch::linear(context, m_outWeight, m_outBias);
}

torch::Tensor MultiHeadAttentionImpl::selfAttention(const torch::Tensor& x,
                                                    const torch::Tensor& mask) {
    const auto qkv = queriesKeysValues(x);
    return attend(qkv[0], qkv[1], qkv[2], mask);
}

// ---- Layers -----------------------------------------------------------------------------------

EncoderLayerImpl::EncoderLayerImpl(const TransformerConfig& c) : m_dropout(c.dropout) {
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    attention = register_module("attention", MultiHeadAttention(c.dModel, c.heads, c.dropout));
    ffn = register_module("ffn", FeedForward(c.dModel, c.dFf));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& srcMask,
                                        const torch::Tensor& tokenIds) {
    const bool train = is_training() && m_dropout > 0;
    auto h = x + torch::dropout(attention->selfAttention(norm1(x), srcMask), m_dropout, train);
    return h + torch::dropout(ffn(norm2(h), tokenIds), m_dropout, train);
}

DecoderLayerImpl::DecoderLayerImpl(const TransformerConfig& c) : m_dropout(c.dropout) {
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    norm3 = register_module("norm3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel})));
    selfAttention =
        register_module("self_attention", MultiHeadAttention(c.dModel, c.heads, c.dropout));
    crossAttention =
        register_module("cross_attention", MultiHeadAttention(c.dModel, c.heads, c.dropout));
    ffn = register_module("ffn", FeedForward(c.dModel, c.dFf));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& y, const torch::Tensor& memory,
                                        const torch::Tensor& causalMask,
                                        const torch::Tensor& srcMask,
                                        const torch::Tensor& tokenIds) {
    const bool train = is_training() && m_dropout > 0;
    auto h =
        y + torch::dropout(selfAttention->selfAttention(norm1(y), causalMask), m_dropout, train);
    auto [k, v] = crossAttention->keysValues(memory);
    auto q = crossAttention->queries(norm2(h));
    h = h + torch::dropout(crossAttention->attend(q, k, v, srcMask), m_dropout, train);
    return h + torch::dropout(ffn(norm3(h), tokenIds), m_dropout, train);
}

// ---- DecoderCache -----------------------------------------------------------------------------

void DecoderCache::select(const torch::Tensor& index) {
    for (auto* list : {&selfKeys, &selfValues, &crossKeys, &crossValues}) {
        for (auto& t : *list) {
            t = t.index_select(0, index);
        }
    }
    srcMask = srcMask.index_select(0, index);
}

// ---- Transformer ------------------------------------------------------------------------------

TransformerImpl::TransformerImpl(const TransformerConfig& config) : m_config(config) {
    m_config.validate();
    embedding = register_module(
        "embedding",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocabSize, config.dModel)
                                 .padding_idx(SentencePieceModel::kPadId)));
    torch::nn::init::normal_(embedding->weight, 0.0, std::pow(config.dModel, -0.5));
    {
        torch::NoGradGuard noGrad;
        embedding->weight[SentencePieceModel::kPadId].zero_();
    }
    for (int i = 0; i < config.encoderLayers; ++i) {
        encoderLayers.push_back(
            register_module("encoder" + std::to_string(i), EncoderLayer(config)));
    }
    for (int i = 0; i < config.decoderLayers; ++i) {
        decoderLayers.push_back(
            register_module("decoder" + std::to_string(i), DecoderLayer(config)));
    }
    encoderNorm = register_module(
        "encoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.dModel})));
    decoderNorm = register_module(
        "decoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.dModel})));
    int ffnIndex = 0;
    for (auto& ffn : feedForwards()) {
        ffn->setIndex(ffnIndex++);
    }
    // Sinusoidal table: sin on even, cos on odd dimensions (Vaswani et al.).
    auto position = torch::arange(config.maxPositions, torch::kFloat).unsqueeze(1);
    auto divisor = torch::exp(torch::arange(0, config.dModel, 2, torch::kFloat) *
                              (-std::log(10000.0) / config.dModel));
    auto table = torch::zeros({config.maxPositions, config.dModel});
    table.index_put_(
        {torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)},
        torch::sin(position * divisor));
    table.index_put_(
        {torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
        torch::cos(position * divisor));
    m_positions = register_buffer("positions", table);
}

torch::Tensor TransformerImpl::embed(const torch::Tensor& tokens, int64_t firstPosition) const {
    const int64_t length = tokens.size(1);
    if (firstPosition + length > m_config.maxPositions) {
        throw std::invalid_argument("sequence of " + std::to_string(firstPosition + length) +
                                    " tokens exceeds the model's " +
                                    std::to_string(m_config.maxPositions) + " positions");
    }
    auto x = torch::embedding(embedding->weight, tokens, SentencePieceModel::kPadId) *
             std::sqrt(static_cast<double>(m_config.dModel));
    x = x + m_positions.narrow(0, firstPosition, length).unsqueeze(0);
    return is_training() && m_config.dropout > 0 ? torch::dropout(x, m_config.dropout, true) : x;
}

torch::Tensor TransformerImpl::sourceMask(const torch::Tensor& src) const {
    auto mask = torch::zeros(src.sizes(), torch::kFloat);
    mask.masked_fill_(src.eq(SentencePieceModel::kPadId), -std::numeric_limits<float>::infinity());
    return mask.unsqueeze(1).unsqueeze(1);
}

torch::Tensor TransformerImpl::encode(const torch::Tensor& src, const torch::Tensor& srcMask) {
    auto x = embed(src, 0);
    for (auto& layer : encoderLayers) {
        x = layer(x, srcMask, src);
    }
    return encoderNorm(x);
}

torch::Tensor TransformerImpl::decodeStates(const torch::Tensor& tgtIn, const torch::Tensor& memory,
                                            const torch::Tensor& srcMask) {
    const int64_t t = tgtIn.size(1);
    auto causal = torch::full({t, t}, -std::numeric_limits<float>::infinity()).triu(1);
    auto y = embed(tgtIn, 0);
    for (auto& layer : decoderLayers) {
        y = layer(y, memory, causal, srcMask, tgtIn);
    }
    return decoderNorm(y);
}

torch::Tensor TransformerImpl::project(const torch::Tensor& states) const {
    return torch::matmul(states, embedding->weight.t());
}

torch::Tensor TransformerImpl::decode(const torch::Tensor& tgtIn, const torch::Tensor& memory,
                                      const torch::Tensor& srcMask) {
    return project(decodeStates(tgtIn, memory, srcMask));
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    const auto mask = sourceMask(src);
    return decode(tgtIn, encode(src, mask), mask);
}

DecoderCache TransformerImpl::startDecoding(const torch::Tensor& memory,
                                            const torch::Tensor& srcMask) {
    DecoderCache cache;
    cache.srcMask = srcMask;
    for (auto& layer : decoderLayers) {
        auto [k, v] = layer->crossAttention->keysValues(memory);
        cache.crossKeys.push_back(k);
        cache.crossValues.push_back(v);
        cache.selfKeys.emplace_back();
        cache.selfValues.emplace_back();
    }
    return cache;
}

torch::Tensor TransformerImpl::decodeStep(const torch::Tensor& tokens, DecoderCache& cache) {
    auto y = embed(tokens.view({-1, 1}), cache.step);  // [B, 1, d]
    for (std::size_t i = 0; i < decoderLayers.size(); ++i) {
        auto& layer = decoderLayers[i];
        auto qkv = layer->selfAttention->queriesKeysValues(layer->norm1(y));
        auto q = qkv[0], k = qkv[1], v = qkv[2];
        if (cache.step > 0) {
            k = torch::cat({cache.selfKeys[i], k}, 2);
            v = torch::cat({cache.selfValues[i], v}, 2);
        }
        cache.selfKeys[i] = k;
        cache.selfValues[i] = v;
        y = y + layer->selfAttention->attend(q, k, v, torch::Tensor());
        auto q2 = layer->crossAttention->queries(layer->norm2(y));
        y = y + layer->crossAttention->attend(q2, cache.crossKeys[i], cache.crossValues[i],
                                              cache.srcMask);
        y = y + layer->ffn(layer->norm3(y), tokens);
    }
    ++cache.step;
    return project(decoderNorm(y.squeeze(1)));
}

std::vector<FeedForward> TransformerImpl::feedForwards() const {
    std::vector<FeedForward> all;
    for (const auto& layer : encoderLayers) {
        all.push_back(layer->ffn);
    }
    for (const auto& layer : decoderLayers) {
        all.push_back(layer->ffn);
    }
    return all;
}

}  // namespace moewb
