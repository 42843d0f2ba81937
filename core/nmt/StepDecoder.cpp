#include "moewb/nmt/StepDecoder.h"

#include "moewb/kernels/FfnKernels.h"
#include "moewb/text/SentencePieceModel.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace moewb {
namespace {

const float* raw(const torch::Tensor& t) {
    return t.data_ptr<float>();
}

}  // namespace

StepDecoder::StepDecoder(TransformerImpl& model, const torch::Tensor& memory,
                         const torch::Tensor& srcMask, int64_t capacity,
                         std::shared_ptr<const HalfWeights> half)
    : m_model(model),
      m_half(half && half->current() ? std::move(half) : nullptr),
      m_d(model.config().dModel),
      m_heads(model.config().heads),
      m_dh(m_d / m_heads),
      m_sourceLength(memory.size(1)),
      m_capacity(capacity),
      m_rows(memory.size(0)) {
    if (capacity < 1 || capacity >= model.config().maxPositions) {
        throw std::invalid_argument("decoding capacity must be between 1 and " +
                                    std::to_string(model.config().maxPositions - 1));
    }
    for (auto& layer : model.decoderLayers) {
        auto [k, v] = layer->crossAttention->keysValues(memory);
        m_crossKeys.push_back(k.contiguous());
        m_crossValues.push_back(v.contiguous());
        m_selfKeys.emplace_back(static_cast<std::size_t>(m_rows * m_heads * m_capacity * m_dh));
        m_selfValues.emplace_back(static_cast<std::size_t>(m_rows * m_heads * m_capacity * m_dh));
    }
    for (auto& layer : model.decoderLayers) {
        const kernels::Half* half = m_half ? m_half->findTransposed(layer->ffn->w2) : nullptr;
        m_halfW2t.push_back(half);
        m_floatW2t.emplace_back();
        if (!half && !layer->ffn->activeOverride()) {
            const auto t = layer->ffn->w2.detach().t().contiguous();
            m_floatW2t.back().assign(raw(t), raw(t) + t.numel());
        }
    }
    const auto valid =
        srcMask.reshape({m_rows, m_sourceLength}).eq(0).to(torch::kUInt8).contiguous();
    m_sourceValid.assign(valid.data_ptr<uint8_t>(), valid.data_ptr<uint8_t>() + valid.numel());
}

void StepDecoder::linear(const float* x, int64_t inputs, const torch::Tensor& w, const float* b,
                         int64_t outputs, float* y, bool relu) const {
    if (const kernels::Half* h = m_half ? m_half->find(w) : nullptr) {
        kernels::linearRowsThreaded(x, m_rows, inputs, inputs, h, b, outputs, y, outputs, relu);
    } else {
        kernels::linearRowsThreaded(x, m_rows, inputs, inputs, raw(w), b, outputs, y, outputs,
                                    relu);
    }
}

void StepDecoder::layerNorm(const torch::nn::LayerNormImpl& norm, const float* x, float* y) const {
    const float* gamma = raw(norm.weight);
    const float* beta = raw(norm.bias);
    const float eps = static_cast<float>(norm.options.eps());
    for (int64_t r = 0; r < m_rows; ++r) {
        const float* in = x + r * m_d;
        float* out = y + r * m_d;
        float mean = 0.0f;
        for (int64_t i = 0; i < m_d; ++i) {
            mean += in[i];
        }
        mean /= static_cast<float>(m_d);
        float var = 0.0f;
        for (int64_t i = 0; i < m_d; ++i) {
            var += (in[i] - mean) * (in[i] - mean);
        }
        const float scale = 1.0f / std::sqrt(var / static_cast<float>(m_d) + eps);
        for (int64_t i = 0; i < m_d; ++i) {
            out[i] = (in[i] - mean) * scale * gamma[i] + beta[i];
        }
    }
}

// Softmax attention of one query (dh floats) over `length` cached positions of one head; keys
// and values are [capacity, dh] blocks; `valid` (or null) masks padding positions.
void StepDecoder::attendCache(const float* q, const float* keys, const float* values,
                              int64_t length, const uint8_t* valid, float* context) {
    m_scores.resize(static_cast<std::size_t>(length));
    float* s = m_scores.data();
    kernels::linearRows(q, 1, m_dh, m_dh, keys, nullptr, length, s, length, false);
    const float scale = 1.0f / std::sqrt(static_cast<float>(m_dh));
    float top = -std::numeric_limits<float>::infinity();
    for (int64_t t = 0; t < length; ++t) {
        s[t] = valid && !valid[t] ? -std::numeric_limits<float>::infinity() : s[t] * scale;
        top = std::max(top, s[t]);
    }
    float sum = 0.0f;
    for (int64_t t = 0; t < length; ++t) {
        s[t] = std::exp(s[t] - top);
        sum += s[t];
    }
    const float inverse = 1.0f / sum;
    for (int64_t t = 0; t < length; ++t) {
        s[t] *= inverse;
    }
    std::fill(context, context + m_dh, 0.0f);
    kernels::addProducts(s, 1, length, length, values, m_dh, context, m_dh);
}

void StepDecoder::feedForward(std::size_t layer, const float* x, const torch::Tensor& tokens,
                              float* y) {
    FeedForwardImpl& ffn = *m_model.decoderLayers[layer]->ffn;
    if (ffn.activeOverride()) {
        const auto out = ffn.forward(torch::from_blob(const_cast<float*>(x), {m_rows, m_d}), tokens)
                             .contiguous();
        std::copy(raw(out), raw(out) + m_rows * m_d, y);
        return;
    }
    const int64_t dFf = ffn.w1.size(0), d = m_d;
    m_hidden.resize(static_cast<std::size_t>(m_rows * dFf));
    linear(x, d, ffn.w1, raw(ffn.b1), dFf, m_hidden.data(), true);
    const float* b2 = raw(ffn.b2);
    const kernels::Half* half = m_halfW2t[layer];
    const float* full = m_floatW2t[layer].empty() ? nullptr : m_floatW2t[layer].data();
    if (!half && !full) {  // an override was removed after construction: plain product
        linear(m_hidden.data(), dFf, ffn.w2, b2, d, y);
        return;
    }
    const float* hidden = m_hidden.data();
    kernels::forRowBlocks(m_rows, dFf * d, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            std::copy(b2, b2 + d, y + r * d);
        }
        if (half) {
            kernels::addProducts(hidden + begin * dFf, end - begin, dFf, dFf, half, d,
                                 y + begin * d, d);
        } else {
            kernels::addProducts(hidden + begin * dFf, end - begin, dFf, dFf, full, d,
                                 y + begin * d, d);
        }
    });
}

torch::Tensor StepDecoder::step(const torch::Tensor& tokenTensor) {
    const auto tokens = tokenTensor.reshape({-1}).to(torch::kLong).contiguous();
    if (tokens.size(0) != m_rows) {
        throw std::invalid_argument("the decoder has " + std::to_string(m_rows) + " rows, not " +
                                    std::to_string(tokens.size(0)));
    }
    if (m_step >= m_capacity) {
        throw std::logic_error("the decoder ran past its capacity of " +
                               std::to_string(m_capacity) + " steps");
    }
    const int64_t d = m_d, rows = m_rows, t = m_step;
    const std::size_t area = static_cast<std::size_t>(rows * d);
    m_x.resize(area);
    m_normed.resize(area);
    m_context.resize(area);
    m_delta.resize(area);
    m_qkv.resize(area * 3);
    const float* table = raw(m_model.embedding->weight);
    const float* position = raw(m_model.positions()) + t * d;
    const float scale = std::sqrt(static_cast<float>(d));
    const int64_t* id = tokens.data_ptr<int64_t>();
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t i = 0; i < d; ++i) {
            m_x[r * d + i] = table[id[r] * d + i] * scale + position[i];
        }
    }
    const int64_t block = m_capacity * m_dh;  // one head's cache
    for (std::size_t l = 0; l < m_model.decoderLayers.size(); ++l) {
        auto& layer = *m_model.decoderLayers[l];
        auto& self = *layer.selfAttention;
        auto& cross = *layer.crossAttention;
        // Self-attention over the cache, which this step's key and value join.
        layerNorm(*layer.norm1, m_x.data(), m_normed.data());
        linear(m_normed.data(), d, self.inWeight(), raw(self.inBias()), 3 * d, m_qkv.data());
        float* keys = m_selfKeys[l].data();
        float* values = m_selfValues[l].data();
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t h = 0; h < m_heads; ++h) {
                const float* k = m_qkv.data() + r * 3 * d + d + h * m_dh;
                const float* v = k + d;
                const int64_t at = (r * m_heads + h) * block + t * m_dh;
                std::copy(k, k + m_dh, keys + at);
                std::copy(v, v + m_dh, values + at);
            }
        }
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t h = 0; h < m_heads; ++h) {
                const int64_t at = (r * m_heads + h) * block;
                attendCache(m_qkv.data() + r * 3 * d + h * m_dh, keys + at, values + at, t + 1,
                            nullptr, m_context.data() + r * d + h * m_dh);
            }
        }
        linear(m_context.data(), d, self.outWeight(), raw(self.outBias()), d, m_delta.data());
        for (std::size_t i = 0; i < area; ++i) {
            m_x[i] += m_delta[i];
        }
        // Cross-attention over the encoder output (keys and values projected once).
        layerNorm(*layer.norm2, m_x.data(), m_normed.data());
        // The query rows of the packed projection only (keys and values came from the memory).
        linear(m_normed.data(), d, cross.inWeight(), raw(cross.inBias()), d, m_qkv.data());
        const float* crossKeys = raw(m_crossKeys[l]);
        const float* crossValues = raw(m_crossValues[l]);
        const int64_t crossBlock = m_sourceLength * m_dh;
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t h = 0; h < m_heads; ++h) {
                const int64_t at = (r * m_heads + h) * crossBlock;
                attendCache(m_qkv.data() + r * d + h * m_dh, crossKeys + at, crossValues + at,
                            m_sourceLength, m_sourceValid.data() + r * m_sourceLength,
                            m_context.data() + r * d + h * m_dh);
            }
        }
        linear(m_context.data(), d, cross.outWeight(), raw(cross.outBias()), d, m_delta.data());
        for (std::size_t i = 0; i < area; ++i) {
            m_x[i] += m_delta[i];
        }
        layerNorm(*layer.norm3, m_x.data(), m_normed.data());
        feedForward(l, m_normed.data(), tokens, m_delta.data());
        for (std::size_t i = 0; i < area; ++i) {
            m_x[i] += m_delta[i];
        }
    }
    ++m_step;
    layerNorm(*m_model.decoderNorm, m_x.data(), m_normed.data());
    const int64_t vocab = m_model.config().vocabSize;
    auto logits = torch::empty({rows, vocab}, torch::kFloat);
    linear(m_normed.data(), d, m_model.embedding->weight, nullptr, vocab, logits.data_ptr<float>());
    return logits;
}

void StepDecoder::select(const std::vector<int64_t>& index) {
    const int64_t rows = static_cast<int64_t>(index.size());
    for (int64_t i : index) {
        if (i < 0 || i >= m_rows) {
            throw std::invalid_argument("row " + std::to_string(i) + " does not exist");
        }
    }
    const int64_t rowSize = m_heads * m_capacity * m_dh;
    const int64_t used = m_step * m_dh;  // only the filled part of each head's cache matters
    for (std::size_t l = 0; l < m_selfKeys.size(); ++l) {
        for (auto* cache : {&m_selfKeys[l], &m_selfValues[l]}) {
            std::vector<float> kept(static_cast<std::size_t>(rows * rowSize));
            for (int64_t r = 0; r < rows; ++r) {
                for (int64_t h = 0; h < m_heads; ++h) {
                    const float* from = cache->data() + index[r] * rowSize + h * m_capacity * m_dh;
                    std::copy(from, from + used, kept.data() + r * rowSize + h * m_capacity * m_dh);
                }
            }
            cache->swap(kept);
        }
    }
    const auto keep = torch::tensor(index, torch::kLong);
    for (auto* list : {&m_crossKeys, &m_crossValues}) {
        for (auto& t : *list) {
            t = t.index_select(0, keep).contiguous();
        }
    }
    std::vector<uint8_t> valid(static_cast<std::size_t>(rows * m_sourceLength));
    for (int64_t r = 0; r < rows; ++r) {
        std::copy(m_sourceValid.begin() + index[r] * m_sourceLength,
                  m_sourceValid.begin() + (index[r] + 1) * m_sourceLength,
                  valid.begin() + r * m_sourceLength);
    }
    m_sourceValid.swap(valid);
    m_rows = rows;
}

}  // namespace moewb
