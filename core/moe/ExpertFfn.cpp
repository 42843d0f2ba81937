#include "moewb/moe/ExpertFfn.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace moewb {

namespace {

// The partition's neuron order, after checking it fits the layer (the delegating constructor
// below cannot run code first).
std::vector<int> checkedOrder(const FeedForwardImpl& ffn, const ExpertPartition& partition) {
    partition.validate(static_cast<int>(ffn.w1.size(0)));
    return partition.permutation();
}

}  // namespace

ExpertFfn::ExpertFfn(const FeedForwardImpl& ffn, const std::vector<int>& neuronOrder,
                     int numExperts, int sharedNeurons)
    : m_numExperts(numExperts), m_sharedSize(sharedNeurons) {
    const int64_t dFf = ffn.w1.size(0), d = ffn.w1.size(1);
    if (sharedNeurons < 0 || sharedNeurons >= dFf) {
        throw std::invalid_argument("the number of shared neurons must be between 0 and " +
                                    std::to_string(dFf - 1) + ", not " +
                                    std::to_string(sharedNeurons));
    }
    const int64_t routed = dFf - sharedNeurons;
    if (numExperts < 1 || routed % numExperts != 0) {
        throw std::invalid_argument("cannot split " + std::to_string(routed) + " neurons into " +
                                    std::to_string(numExperts) + " equal experts" +
                                    (sharedNeurons > 0
                                         ? " (d_ff " + std::to_string(dFf) + " minus " +
                                               std::to_string(sharedNeurons) + " shared neurons)"
                                         : std::string()));
    }
    if (static_cast<int64_t>(neuronOrder.size()) != dFf) {
        throw std::invalid_argument("the expert partition lists " +
                                    std::to_string(neuronOrder.size()) +
                                    " neurons, the layer has " + std::to_string(dFf));
    }
    std::vector<char> seen(static_cast<std::size_t>(dFf), 0);
    for (int n : neuronOrder) {
        if (n < 0 || n >= dFf || seen[n]) {
            throw std::invalid_argument("the expert partition must list every neuron exactly once");
        }
        seen[n] = 1;
    }
    m_expertSize = static_cast<int>(routed / numExperts);
    torch::NoGradGuard noGrad;
    const auto order = torch::tensor(std::vector<int64_t>(neuronOrder.begin(), neuronOrder.end()));
    m_allW1 = ffn.w1.detach().index_select(0, order).contiguous();
    m_allB1 = ffn.b1.detach().index_select(0, order).contiguous();
    m_allW2t = ffn.w2.detach().t().index_select(0, order).contiguous();
    // The expert blocks are views of the leading rows, so dense() stays one product.
    m_w1 = m_allW1.narrow(0, 0, routed).view({numExperts, m_expertSize, d});
    m_b1 = m_allB1.narrow(0, 0, routed).view({numExperts, m_expertSize});
    m_w2t = m_allW2t.narrow(0, 0, routed).view({numExperts, m_expertSize, d});
    m_b2 = ffn.b2.detach().clone();
}

ExpertFfn::ExpertFfn(const FeedForwardImpl& ffn, const ExpertPartition& partition)
    : ExpertFfn(ffn, checkedOrder(ffn, partition), partition.numExperts,
                static_cast<int>(partition.shared.size())) {}

torch::Tensor ExpertFfn::dense(const torch::Tensor& x) const {
    const auto h = torch::relu(torch::addmm(m_allB1, x, m_allW1.t()));
    return torch::addmm(m_b2, h, m_allW2t);
}

torch::Tensor ExpertFfn::base(const torch::Tensor& x) const {
    if (m_sharedSize == 0) {
        return m_b2.expand({x.size(0), m_b2.size(0)}).clone();
    }
    const int64_t routed = int64_t(m_numExperts) * m_expertSize;
    const auto h = torch::relu(torch::addmm(m_allB1.narrow(0, routed, m_sharedSize), x,
                                            m_allW1.narrow(0, routed, m_sharedSize).t()));
    return torch::addmm(m_b2, h, m_allW2t.narrow(0, routed, m_sharedSize));
}

torch::Tensor ExpertFfn::oracleScores(const torch::Tensor& x) const {
    const int64_t d = m_b2.size(0);
    const auto h = torch::relu(torch::addmm(m_b1.view({-1}), x, m_w1.view({-1, d}).t()));
    return h.view({x.size(0), m_numExperts, m_expertSize}).sum(-1);
}

torch::Tensor ExpertFfn::gather(const torch::Tensor& x, const torch::Tensor& experts) const {
    const int64_t t = x.size(0), k = experts.size(1), d = m_b2.size(0);
    const auto flat = experts.reshape({-1});
    const auto w1 = m_w1.index_select(0, flat).view({t, k * m_expertSize, d});
    const auto b1 = m_b1.index_select(0, flat).view({t, k * m_expertSize});
    const auto h = torch::relu(torch::baddbmm(b1.unsqueeze(2), w1, x.unsqueeze(2)));  // [t, km, 1]
    const auto w2t = m_w2t.index_select(0, flat).view({t, k * m_expertSize, d});
    const auto routed = torch::bmm(h.transpose(1, 2), w2t).squeeze(1);
    return m_sharedSize == 0 ? routed + m_b2 : routed + base(x);
}

torch::Tensor ExpertFfn::dispatch(const torch::Tensor& x, const torch::Tensor& experts) const {
    const int64_t k = experts.size(1);
    const auto flat = experts.reshape({-1});
    const auto sorted = flat.sort();
    const auto order = std::get<1>(sorted);
    const auto tokenOf = order.div(k, "floor");  // row of each sorted (token, expert) pair
    const auto counts = torch::bincount(flat, {}, m_numExperts).contiguous();
    const int64_t* count = counts.data_ptr<int64_t>();
    auto out = base(x);
    int64_t start = 0;
    for (int e = 0; e < m_numExperts; ++e) {
        if (count[e] == 0) {
            continue;
        }
        const auto rows = tokenOf.narrow(0, start, count[e]);
        start += count[e];
        const auto xe = x.index_select(0, rows);
        const auto h = torch::relu(torch::addmm(m_b1[e], xe, m_w1[e].t()));
        out.index_add_(0, rows, torch::mm(h, m_w2t[e]));
    }
    return out;
}

torch::Tensor ExpertFfn::forward(const torch::Tensor& x, const torch::Tensor& experts,
                                 Strategy strategy) const {
    if (experts.dim() != 2 || experts.size(0) != x.size(0)) {
        throw std::invalid_argument("experts must be [tokens, K]");
    }
    if (strategy == Strategy::Auto) {
        strategy = experts.numel() < gatherThreshold() ? Strategy::Gather : Strategy::Dispatch;
    }
    return strategy == Strategy::Gather ? gather(x, experts) : dispatch(x, experts);
}

torch::Tensor topExperts(const torch::Tensor& scores, int k) {
    if (k < 1 || k > scores.size(1)) {
        throw std::invalid_argument("K must be between 1 and the number of experts (" +
                                    std::to_string(scores.size(1)) + "), not " + std::to_string(k));
    }
    return std::get<1>(scores.topk(k, 1));
}

}  // namespace moewb
