#include "moewb/moe/ExpertFfn.h"

#include "moewb/kernels/FfnKernels.h"

#include <torch/torch.h>

#include <algorithm>

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
    m_layoutHash = expertLayoutHash(numExperts, sharedNeurons, neuronOrder);
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
    // A model read from a float16 file holds float16 values: the kernels then read exact float16
    // copies of the blocks, half the bytes (FfnKernels.h).
    m_halfW1 = kernels::exactHalfCopy(m_allW1.data_ptr<float>(), m_allW1.numel());
    m_halfW2t = kernels::exactHalfCopy(m_allW2t.data_ptr<float>(), m_allW2t.numel());
    if (m_halfW1.empty() || m_halfW2t.empty()) {
        m_halfW1.clear();
        m_halfW2t.clear();
    }
}

ExpertFfn::ExpertFfn(const FeedForwardImpl& ffn, const ExpertPartition& partition)
    : ExpertFfn(ffn, checkedOrder(ffn, partition), partition.numExperts,
                static_cast<int>(partition.shared.size())) {}

bool ExpertFfn::kernelCanRun(const torch::Tensor& x) {
    return x.scalar_type() == torch::kFloat && x.dim() == 2 && x.device().is_cpu() &&
           x.size(0) <= kernelMaxTokens() && !(torch::GradMode::is_enabled() && x.requires_grad());
}

torch::Tensor ExpertFfn::dense(const torch::Tensor& x) const {
    if (kernelCanRun(x) && x.size(0) <= denseKernelMaxTokens()) {
        const auto in = x.contiguous();
        const int64_t d = m_b2.size(0);
        auto out = torch::empty({x.size(0), d}, torch::kFloat);
        const float* input = in.data_ptr<float>();
        float* output = out.data_ptr<float>();
        kernels::forRowBlocks(in.size(0), m_allW1.numel() * 2, [&](int64_t begin, int64_t end) {
            forwardRows(input + begin * d, end - begin, nullptr, 0, output + begin * d);
        });
        return out;
    }
    const auto h = torch::relu(torch::addmm(m_allB1, x, m_allW1.t()));
    return torch::addmm(m_b2, h, m_allW2t);
}

void ExpertFfn::forwardRows(const float* x, int64_t rows, const int64_t* experts, int k,
                            float* y) const {
    if (!m_halfW1.empty()) {
        forwardRowsWith(m_halfW1.data(), m_halfW2t.data(), x, rows, experts, k, y);
    } else {
        forwardRowsWith(m_allW1.data_ptr<float>(), m_allW2t.data_ptr<float>(), x, rows, experts, k,
                        y);
    }
}

template <typename W>
void ExpertFfn::forwardRowsWith(const W* w1, const W* w2t, const float* x, int64_t rows,
                                const int64_t* experts, int k, float* y) const {
    const int64_t d = m_b2.size(0), m = m_expertSize, routed = int64_t(m_numExperts) * m;
    const float* b1 = m_allB1.data_ptr<float>();
    const float* b2 = m_b2.data_ptr<float>();
    for (int64_t r = 0; r < rows; ++r) {
        std::copy(b2, b2 + d, y + r * d);
    }
    // Per-thread scratch: decoding calls this thousands of times a second, so no allocation.
    thread_local std::vector<float> hidden, gathered;
    if (!experts) {  // dense: every neuron, the experts and the shared ones, in one pass
        const int64_t all = routed + m_sharedSize;
        hidden.resize(static_cast<std::size_t>(rows * all));
        kernels::linearRows(x, rows, d, d, w1, b1, all, hidden.data(), all, true);
        kernels::addProducts(hidden.data(), rows, all, all, w2t, d, y, d);
        return;
    }
    if (m_sharedSize > 0) {
        hidden.resize(static_cast<std::size_t>(rows * m_sharedSize));
        kernels::linearRows(x, rows, d, d, w1 + routed * d, b1 + routed, m_sharedSize,
                            hidden.data(), m_sharedSize, true);
        kernels::addProducts(hidden.data(), rows, m_sharedSize, m_sharedSize, w2t + routed * d, d,
                             y, d);
    }
    // Group the (token, expert) pairs by expert: each expert's block is read once for all of its
    // tokens.
    thread_local std::vector<int64_t> count, first, tokenOf;
    count.assign(static_cast<std::size_t>(m_numExperts) + 1, 0);
    for (int64_t i = 0; i < rows * k; ++i) {
        const int64_t e = experts[i];
        if (e == -1) {
            continue;  // an empty slot (dynamic K: this token took fewer experts)
        }
        if (e < 0 || e >= m_numExperts) {
            throw std::invalid_argument("expert id " + std::to_string(e) + " is out of range 0.." +
                                        std::to_string(m_numExperts - 1));
        }
        ++count[static_cast<std::size_t>(e) + 1];
    }
    first.assign(count.begin(), count.end());
    for (int e = 0; e < m_numExperts; ++e) {
        first[e + 1] += first[e];
    }
    tokenOf.resize(static_cast<std::size_t>(rows * k));
    {
        auto next = first;
        for (int64_t i = 0; i < rows * k; ++i) {
            if (experts[i] >= 0) {
                tokenOf[static_cast<std::size_t>(next[experts[i]]++)] = i / k;
            }
        }
    }
    hidden.resize(static_cast<std::size_t>(rows * m));
    gathered.resize(static_cast<std::size_t>(rows * d));
    for (int e = 0; e < m_numExperts; ++e) {
        const int64_t n = first[e + 1] - first[e];
        if (n == 0) {
            continue;
        }
        const int64_t* tokens = tokenOf.data() + first[e];
        const float* in = x + tokens[0] * d;
        if (n > 1) {
            for (int64_t i = 0; i < n; ++i) {
                std::copy(x + tokens[i] * d, x + (tokens[i] + 1) * d, gathered.data() + i * d);
            }
            in = gathered.data();
        }
        kernels::linearRows(in, n, d, d, w1 + e * m * d, b1 + e * m, m, hidden.data(), m, true);
        for (int64_t i = 0; i < n; ++i) {
            kernels::addProducts(hidden.data() + i * m, 1, m, m, w2t + e * m * d, d,
                                 y + tokens[i] * d, d);
        }
    }
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
        strategy = kernelCanRun(x) ? Strategy::Kernel : Strategy::Dispatch;
    }
    if (strategy == Strategy::Dispatch) {
        return dispatch(x, experts);
    }
    if (x.scalar_type() != torch::kFloat || x.dim() != 2) {
        throw std::invalid_argument("the expert kernel takes float32 inputs [tokens, d_model]");
    }
    const auto in = x.contiguous();
    const auto ids = experts.to(torch::kLong).contiguous();
    const int64_t d = m_b2.size(0), k = ids.size(1);
    auto out = torch::empty({x.size(0), d}, torch::kFloat);
    const float* input = in.data_ptr<float>();
    const int64_t* chosen = ids.data_ptr<int64_t>();
    float* output = out.data_ptr<float>();
    kernels::forRowBlocks(in.size(0), k * m_expertSize * d * 2, [&](int64_t begin, int64_t end) {
        forwardRows(input + begin * d, end - begin, chosen + begin * k, static_cast<int>(k),
                    output + begin * d);
    });
    return out;
}

torch::Tensor topExperts(const torch::Tensor& scores, int k) {
    if (k < 1 || k > scores.size(1)) {
        throw std::invalid_argument("K must be between 1 and the number of experts (" +
                                    std::to_string(scores.size(1)) + "), not " + std::to_string(k));
    }
    return std::get<1>(scores.topk(k, 1));
}

}  // namespace moewb
