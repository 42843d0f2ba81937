#include "moewb/moe/MoeLayer.h"

#include <torch/torch.h>

#include <chrono>
#include <stdexcept>

namespace moewb {

MoeLayer::MoeLayer(std::shared_ptr<const ExpertFfn> experts, std::shared_ptr<const Router> router,
                   int k)
    : m_experts(std::move(experts)), m_router(std::move(router)), m_k(0) {
    if (!m_experts || !m_router) {
        throw std::invalid_argument("a MoE layer needs experts and a router");
    }
    setK(k);
}

void MoeLayer::setK(int k) {
    if (k < 1 || k > m_experts->numExperts()) {
        throw std::invalid_argument("K must be between 1 and " +
                                    std::to_string(m_experts->numExperts()) + ", not " +
                                    std::to_string(k));
    }
    m_k = k;
}

torch::Tensor MoeLayer::forward(const FeedForwardImpl& ffn, const torch::Tensor& x) {
    return forward(ffn, x, torch::Tensor());
}

torch::Tensor MoeLayer::forward(const FeedForwardImpl&, const torch::Tensor& x,
                                const torch::Tensor& tokenIds) {
    const auto start = std::chrono::steady_clock::now();
    const int k = m_k.load();
    torch::Tensor out;
    torch::Tensor chosen;
    if (k == m_experts->numExperts()) {
        out = m_experts->dense(x);  // every expert runs: no routing needed
        if (m_recording) {
            chosen = torch::arange(k, torch::kLong).unsqueeze(0).expand({x.size(0), k}).clone();
        }
    } else {
        chosen = topExperts(m_router->scores(x, *m_experts, tokenIds), k);
        out = m_experts->forward(x, chosen);
    }
    if (m_recording && chosen.defined()) {
        std::lock_guard<std::mutex> lock(m_recordMutex);
        m_record.push_back(chosen.to(torch::kLong).clone());
    }
    m_nanoseconds += std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    return out;
}

void MoeLayer::setRecording(bool on) {
    m_recording = on;
    if (!on) {
        std::lock_guard<std::mutex> lock(m_recordMutex);
        m_record.clear();
    }
}

std::vector<torch::Tensor> MoeLayer::takeRecording() {
    std::lock_guard<std::mutex> lock(m_recordMutex);
    std::vector<torch::Tensor> taken;
    taken.swap(m_record);
    return taken;
}

void installMoe(Transformer& transformer, const std::vector<std::shared_ptr<MoeLayer>>& layers) {
    auto ffns = transformer->feedForwards();
    if (layers.size() != ffns.size()) {
        throw std::invalid_argument("the model has " + std::to_string(ffns.size()) +
                                    " FFN layers but " + std::to_string(layers.size()) +
                                    " MoE layers were given");
    }
    for (std::size_t i = 0; i < ffns.size(); ++i) {
        if (layers[i] && layers[i]->experts().dModel() != ffns[i]->w1.size(1)) {
            throw std::invalid_argument("MoE layer " + std::to_string(i) +
                                        " does not fit the model");
        }
        ffns[i]->setOverride(layers[i]);
    }
}

void removeMoe(Transformer& transformer) {
    for (auto& ffn : transformer->feedForwards()) {
        ffn->setOverride(nullptr);
    }
}

}  // namespace moewb
