#include "moewb/nmt/HalfWeights.h"

#include "moewb/nmt/Transformer.h"

#include <torch/torch.h>

namespace moewb {

std::shared_ptr<const HalfWeights> HalfWeights::make(const TransformerImpl& model) {
    auto out = std::make_shared<HalfWeights>();
    std::vector<torch::Tensor> weights = {model.embedding->weight};
    for (const auto& layer : model.decoderLayers) {
        weights.push_back(layer->selfAttention->inWeight());
        weights.push_back(layer->selfAttention->outWeight());
        weights.push_back(layer->crossAttention->inWeight());
        weights.push_back(layer->crossAttention->outWeight());
        weights.push_back(layer->ffn->w1);
        weights.push_back(layer->ffn->w2);
    }
    for (const auto& w : weights) {
        if (w.scalar_type() != torch::kFloat || !w.is_contiguous()) {
            return nullptr;
        }
        auto copy = kernels::exactHalfCopy(w.data_ptr<float>(), w.numel());
        if (copy.empty()) {
            return nullptr;
        }
        out->m_copies.emplace(w.data_ptr(), std::move(copy));
        out->m_versions.emplace_back(w, w._version());
    }
    for (const auto& layer : model.decoderLayers) {
        const auto& w2 = layer->ffn->w2;
        const auto transposed = w2.detach().t().contiguous();
        out->m_transposed.emplace(
            w2.data_ptr(),
            kernels::exactHalfCopy(transposed.data_ptr<float>(), transposed.numel()));
    }
    return out;
}

bool HalfWeights::current() const {
    for (const auto& [tensor, version] : m_versions) {
        if (tensor._version() != version) {
            return false;
        }
    }
    return true;
}

const kernels::Half* HalfWeights::findTransposed(const torch::Tensor& w2) const {
    const auto it = m_transposed.find(w2.data_ptr());
    return it == m_transposed.end() ? nullptr : it->second.data();
}

const kernels::Half* HalfWeights::find(const torch::Tensor& weight) const {
    const auto it = m_copies.find(weight.data_ptr());
    return it == m_copies.end() ? nullptr : it->second.data();
}

}  // namespace moewb
