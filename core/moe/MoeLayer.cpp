#include "moewb/moe/MoeLayer.h"

#include "moewb/kernels/FfnKernels.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <numeric>
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

namespace {

// The k best experts of each row of scores [rows, n], best first (ties: the lower id first).
void topRows(const float* scores, int64_t rows, int n, int k, int64_t* out) {
    thread_local std::vector<int> order;
    order.resize(static_cast<std::size_t>(n));
    for (int64_t r = 0; r < rows; ++r) {
        const float* s = scores + r * n;
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + k, order.end(),
                          [s](int a, int b) { return s[a] > s[b] || (s[a] == s[b] && a < b); });
        std::copy(order.begin(), order.begin() + k, out + r * k);
    }
}

}  // namespace

torch::Tensor MoeLayer::compute(const torch::Tensor& x, const torch::Tensor& tokenIds, int k,
                                torch::Tensor* chosen) const {
    const int n = m_experts->numExperts();
    if (k < 1 || k > n) {
        throw std::invalid_argument("K must be between 1 and " + std::to_string(n) + ", not " +
                                    std::to_string(k));
    }
    // K = N is the dense FFN: above a few dozen rows the BLAS product beats the kernel there, so
    // it goes the way the dense model goes (ExpertFfn::dense picks).
    if (!ExpertFfn::kernelCanRun(x) || (k == n && x.size(0) > ExpertFfn::denseKernelMaxTokens())) {
        if (k == n) {
            if (chosen) {
                *chosen =
                    torch::arange(k, torch::kLong).unsqueeze(0).expand({x.size(0), k}).clone();
            }
            return m_experts->dense(x);  // every expert runs: no routing needed
        }
        auto picked = topExperts(m_router->scores(x, *m_experts, tokenIds), k);
        auto out = m_experts->forward(x, picked, ExpertFfn::Strategy::Dispatch);
        if (chosen) {
            *chosen = picked.to(torch::kLong);
        }
        return out;
    }
    const auto in = x.contiguous();
    const int64_t rows = in.size(0), d = m_experts->dModel();
    auto out = torch::empty({rows, d}, torch::kFloat);
    // The chosen experts go to a tensor only when the caller wants them (recording).
    torch::Tensor picked;
    thread_local std::vector<int64_t> scratch;
    int64_t* ids;
    if (chosen) {
        picked = torch::empty({rows, k}, torch::kLong);
        ids = picked.data_ptr<int64_t>();
    } else {
        scratch.resize(static_cast<std::size_t>(rows * k));
        ids = scratch.data();
    }
    const float* input = in.data_ptr<float>();
    float* output = out.data_ptr<float>();
    torch::Tensor tokens;
    if (tokenIds.defined()) {
        tokens = tokenIds.reshape({-1}).to(torch::kLong).contiguous();
    }
    const int64_t* tokenPtr = tokens.defined() ? tokens.data_ptr<int64_t>() : nullptr;
    // Rows are independent: many rows split between the threads, each block routed and computed
    // on its own (the kernels themselves are single-threaded).
    const int64_t cost = int64_t(k) * m_experts->expertSize() * d * 2;
    kernels::forRowBlocks(rows, cost, [&](int64_t begin, int64_t end) {
        const int64_t count = end - begin;
        if (k == n) {
            m_experts->forwardRows(input + begin * d, count, nullptr, 0, output + begin * d);
            for (int64_t i = begin * k; i < end * k; ++i) {
                ids[i] = i % k;
            }
            return;
        }
        thread_local std::vector<float> scores;
        scores.resize(static_cast<std::size_t>(count * n));
        m_router->scoreRows(input + begin * d, count, *m_experts,
                            tokenPtr ? tokenPtr + begin : nullptr, scores.data());
        topRows(scores.data(), count, n, k, ids + begin * k);
        m_experts->forwardRows(input + begin * d, count, ids + begin * k, k, output + begin * d);
    });
    if (chosen) {
        *chosen = picked;
    }
    return out;
}

torch::Tensor MoeLayer::forward(const FeedForwardImpl&, const torch::Tensor& x,
                                const torch::Tensor& tokenIds) {
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor chosen;
    auto out = compute(x, tokenIds, m_k.load(), m_recording ? &chosen : nullptr);
    if (m_recording && chosen.defined()) {
        std::lock_guard<std::mutex> lock(m_recordMutex);
        m_record.push_back(chosen);
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
