#include "moewb/moe/MoeLayer.h"

#include "moewb/kernels/FfnKernels.h"
#include "moewb/moe/RouterSet.h"

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

double MoeCompute::expertsPerToken() const {
    return tokens > 0 ? static_cast<double>(expertSlots) / static_cast<double>(tokens) : 0.0;
}

MoeCompute& MoeCompute::operator+=(const MoeCompute& other) {
    tokens += other.tokens;
    macs += other.macs;
    denseMacs += other.denseMacs;
    expertSlots += other.expertSlots;
    return *this;
}

MoeCompute totalCompute(const std::vector<std::shared_ptr<MoeLayer>>& layers) {
    MoeCompute total;
    for (const auto& layer : layers) {
        if (layer) {
            total += layer->computeCount();
        }
    }
    return total;
}

void MoeLayer::setThreshold(double threshold) {
    if (!(threshold >= 0.0 && threshold <= 1.0)) {
        throw std::invalid_argument(
            "the dynamic-K threshold must be in [0, 1] (0 = fixed K), not " +
            std::to_string(threshold));
    }
    m_threshold = threshold;
}

MoeCompute MoeLayer::computeCount() const {
    MoeCompute count;
    const auto& e = *m_experts;
    const double d = e.dModel(), m = e.expertSize(), shared = e.sharedSize();
    const double dFf = shared + m * e.numExperts();
    count.tokens = m_countTokens.load();
    count.expertSlots = m_countSlots.load();
    // W1 and W2 each cost d multiply-adds per neuron and token.
    count.macs = 2 * d * (shared * count.tokens + m * count.expertSlots) +
                 static_cast<double>(m_router->flopsPerToken(e)) * m_countRouted.load();
    count.denseMacs = 2 * d * dFf * count.tokens;
    return count;
}

void MoeLayer::resetComputeCount() {
    m_countTokens = 0;
    m_countSlots = 0;
    m_countRouted = 0;
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

// Dynamic K: the fewest experts (at most kMax) whose mass shares reach the threshold, best first;
// unused slots get -1. Returns the experts taken, summed over rows. `scores` is overwritten.
int64_t dynamicRows(const Router& router, float* scores, int64_t rows, int n, int kMax,
                    double threshold, int64_t* out) {
    thread_local std::vector<int> order;
    order.resize(static_cast<std::size_t>(n));
    int64_t taken = 0;
    for (int64_t r = 0; r < rows; ++r) {
        float* s = scores + r * n;
        router.massShares(s, n);
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + kMax, order.end(),
                          [s](int a, int b) { return s[a] > s[b] || (s[a] == s[b] && a < b); });
        double mass = 0;
        int used = 0;
        while (used < kMax && (used == 0 || mass < threshold)) {
            mass += s[order[used]];
            out[r * kMax + used] = order[used];
            ++used;
        }
        std::fill(out + r * kMax + used, out + (r + 1) * kMax, int64_t(-1));
        taken += used;
    }
    return taken;
}

}  // namespace

torch::Tensor MoeLayer::compute(const torch::Tensor& x, const torch::Tensor& tokenIds, int k,
                                torch::Tensor* chosen, double threshold) const {
    const int n = m_experts->numExperts();
    if (k < 1 || k > n) {
        throw std::invalid_argument("K must be between 1 and " + std::to_string(n) + ", not " +
                                    std::to_string(k));
    }
    const bool dynamic = threshold > 0 && threshold < 1 && k > 1;
    const int64_t rowCount = x.size(0);
    if (dynamic && (x.scalar_type() != torch::kFloat || !x.is_cpu() ||
                    (x.requires_grad() && torch::GradMode::is_enabled()))) {
        throw std::invalid_argument("dynamic K runs on float32 CPU inputs without gradients");
    }
    // K = N is the dense FFN: above a few dozen rows the BLAS product beats the kernel there, so
    // it goes the way the dense model goes (ExpertFfn::dense picks).
    if (!dynamic && (!ExpertFfn::kernelCanRun(x) ||
                     (k == n && x.size(0) > ExpertFfn::denseKernelMaxTokens()))) {
        m_countTokens += rowCount;
        m_countSlots += rowCount * k;
        if (k < n) {
            m_countRouted += rowCount;
        }
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
    m_countTokens += rows;
    if (k < n || dynamic) {
        m_countRouted += rows;
    }
    if (!dynamic) {
        m_countSlots += rows * k;
    }
    kernels::forRowBlocks(rows, cost, [&](int64_t begin, int64_t end) {
        const int64_t count = end - begin;
        if (k == n && !dynamic) {
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
        if (dynamic) {
            m_countSlots +=
                dynamicRows(*m_router, scores.data(), count, n, k, threshold, ids + begin * k);
        } else {
            topRows(scores.data(), count, n, k, ids + begin * k);
        }
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
    auto out =
        compute(x, tokenIds, m_k.load(), m_recording ? &chosen : nullptr, m_threshold.load());
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

std::vector<std::shared_ptr<MoeLayer>> makeMoeLayers(
    const std::vector<std::shared_ptr<ExpertFfn>>& experts, const RouterSet& routers,
    int encoderLayers, int encoderK, int decoderK, double threshold) {
    if (routers.layers.size() != experts.size()) {
        throw std::invalid_argument("the router set has " + std::to_string(routers.layers.size()) +
                                    " layers for " + std::to_string(experts.size()) +
                                    " FFN layers: train the routers on this partition again");
    }
    std::vector<std::shared_ptr<MoeLayer>> layers;
    for (std::size_t l = 0; l < experts.size(); ++l) {
        const int k = static_cast<int>(l) < encoderLayers ? encoderK : decoderK;
        layers.push_back(std::make_shared<MoeLayer>(experts[l], routers.layers[l], k));
        layers.back()->setThreshold(threshold);
    }
    return layers;
}

FfnPlan makeMoePlan(const std::vector<std::shared_ptr<MoeLayer>>& layers) {
    FfnPlan plan;
    plan.layers.assign(layers.begin(), layers.end());
    return plan;
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
