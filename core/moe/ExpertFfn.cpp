#include "moewb/moe/ExpertFfn.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace moewb {

ExpertFfn::ExpertFfn(const FeedForwardImpl& ffn, const std::vector<int>& neuronOrder,
                     int numExperts)
    : m_numExperts(numExperts) {
    const int64_t dFf = ffn.w1.size(0), d = ffn.w1.size(1);
    if (numExperts < 1 || dFf % numExperts != 0) {
        throw std::invalid_argument("cannot split " + std::to_string(dFf) + " neurons into " +
                                    std::to_string(numExperts) + " equal experts");
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
    m_expertSize = static_cast<int>(dFf / numExperts);
    torch::NoGradGuard noGrad;
    const auto order = torch::tensor(std::vector<int64_t>(neuronOrder.begin(), neuronOrder.end()));
    m_w1 =
        ffn.w1.detach().index_select(0, order).reshape({numExperts, m_expertSize, d}).contiguous();
    m_b1 = ffn.b1.detach().index_select(0, order).reshape({numExperts, m_expertSize}).contiguous();
    m_w2t = ffn.w2.detach()
                .t()
                .index_select(0, order)
                .reshape({numExperts, m_expertSize, d})
                .contiguous();
    m_b2 = ffn.b2.detach().clone();
}

torch::Tensor ExpertFfn::dense(const torch::Tensor& x) const {
    const int64_t d = m_b2.size(0);
    const auto w1 = m_w1.view({-1, d});
    const auto h = torch::relu(torch::addmm(m_b1.view({-1}), x, w1.t()));
    return torch::addmm(m_b2, h, m_w2t.view({-1, d}));
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
    return torch::bmm(h.transpose(1, 2), w2t).squeeze(1) + m_b2;
}

torch::Tensor ExpertFfn::dispatch(const torch::Tensor& x, const torch::Tensor& experts) const {
    const int64_t t = x.size(0), k = experts.size(1);
    const auto flat = experts.reshape({-1});
    const auto sorted = flat.sort();
    const auto order = std::get<1>(sorted);
    const auto tokenOf = order.div(k, "floor");  // row of each sorted (token, expert) pair
    const auto counts = torch::bincount(flat, {}, m_numExperts).contiguous();
    const int64_t* count = counts.data_ptr<int64_t>();
    auto out = m_b2.expand({t, m_b2.size(0)}).clone();
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
