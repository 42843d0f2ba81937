#include "moewb/moe/Router.h"

#include "moewb/kernels/FfnKernels.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace moewb {
namespace {

torch::Tensor normalise(const torch::Tensor& x) {
    return x / x.norm(2, -1, true).clamp_min(1e-12);
}

torch::Tensor expertCentroids(const ExpertFfn& experts) {
    return normalise(experts.w1Blocks()).mean(1);  // [N, m, d] -> [N, d]
}

// x [rows, d] scaled to unit length (as normalise() does) into a per-thread buffer.
const float* normaliseRows(const float* x, int64_t rows, int64_t d) {
    thread_local std::vector<float> unit;
    unit.resize(static_cast<std::size_t>(rows * d));
    for (int64_t r = 0; r < rows; ++r) {
        const float* in = x + r * d;
        float sum = 0.0f;  // x·x through the kernel: a scalar loop would not vectorise
        kernels::linearRows(in, 1, d, d, in, nullptr, 1, &sum, 1, false);
        const float scale = 1.0f / std::max(std::sqrt(sum), 1e-12f);
        for (int64_t i = 0; i < d; ++i) {
            unit[r * d + i] = in[i] * scale;
        }
    }
    return unit.data();
}

}  // namespace

void Router::massShares(float* scores, int n) const {
    const float top = *std::max_element(scores, scores + n);
    float sum = 0;
    for (int e = 0; e < n; ++e) {
        scores[e] = std::exp(scores[e] - top);
        sum += scores[e];
    }
    for (int e = 0; e < n; ++e) {
        scores[e] /= sum;
    }
}

void OracleRouter::massShares(float* scores, int n) const {
    float sum = 0;
    for (int e = 0; e < n; ++e) {
        sum += std::max(scores[e], 0.0f);
    }
    for (int e = 0; e < n; ++e) {
        scores[e] = sum > 0 ? std::max(scores[e], 0.0f) / sum : 1.0f / n;
    }
}

void MlpRouter::massShares(float* scores, int n) const {
    float sum = 0;
    for (int e = 0; e < n; ++e) {
        scores[e] = 1.0f / (1.0f + std::exp(-scores[e]));
        sum += scores[e];
    }
    for (int e = 0; e < n; ++e) {
        scores[e] /= sum;
    }
}

void Router::scoreRows(const float* x, int64_t rows, const ExpertFfn& experts,
                       const int64_t* tokenIds, float* out) const {
    const auto input = torch::from_blob(const_cast<float*>(x), {rows, experts.dModel()});
    torch::Tensor ids;
    if (tokenIds) {
        ids = torch::from_blob(const_cast<int64_t*>(tokenIds), {rows}, torch::kLong);
    }
    const auto result = scores(input, experts, ids).to(torch::kFloat).contiguous();
    std::copy(result.data_ptr<float>(), result.data_ptr<float>() + result.numel(), out);
}

void OracleRouter::scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t*,
                             float* out) const {
    const int64_t n = experts.numExperts(), m = experts.expertSize();
    thread_local std::vector<float> hidden;
    hidden.resize(static_cast<std::size_t>(rows * n * m));
    kernels::linearRows(x, rows, experts.dModel(), experts.dModel(),
                        experts.w1Blocks().data_ptr<float>(), experts.b1Blocks().data_ptr<float>(),
                        n * m, hidden.data(), n * m, true);
    for (int64_t r = 0; r < rows * n; ++r) {
        const float* block = hidden.data() + r * m;
        out[r] = std::accumulate(block, block + m, 0.0f);
    }
}

SimilarityRouter::SimilarityRouter(const ExpertFfn& experts)
    : m_centroids(expertCentroids(experts)) {}

torch::Tensor SimilarityRouter::scores(const torch::Tensor& x, const ExpertFfn&) const {
    return torch::mm(normalise(x), m_centroids.t());
}

void SimilarityRouter::scoreRows(const float* x, int64_t rows, const ExpertFfn& experts,
                                 const int64_t*, float* out) const {
    const int64_t d = experts.dModel();
    kernels::linearRows(normaliseRows(x, rows, d), rows, d, d, m_centroids.data_ptr<float>(),
                        nullptr, m_centroids.size(0), out, m_centroids.size(0), false);
}

GateRouter::GateRouter(torch::Tensor weight) : m_weight(weight.to(torch::kFloat).contiguous()) {
    if (m_weight.dim() != 2 || m_weight.size(0) < 1) {
        throw std::invalid_argument("gate router weights must be a [N, d] matrix");
    }
}

torch::Tensor GateRouter::scores(const torch::Tensor& x, const ExpertFfn&) const {
    return torch::mm(normalise(x), m_weight.t());
}

void GateRouter::scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t*,
                           float* out) const {
    const int64_t d = experts.dModel(), n = m_weight.size(0);
    kernels::linearRows(normaliseRows(x, rows, d), rows, d, d, m_weight.data_ptr<float>(), nullptr,
                        n, out, n, false);
}

torch::Tensor GateRouter::normalisedInput(const torch::Tensor& x) {
    return normalise(x);
}

torch::Tensor GateRouter::initialWeight(const ExpertFfn& experts) {
    return expertCentroids(experts).clone();
}

MlpRouter::MlpRouter(const ExpertFfn& experts)
    : m_first(expertCentroids(experts).clone()), m_second(torch::eye(experts.numExperts())) {}

MlpRouter::MlpRouter(torch::Tensor first, torch::Tensor second)
    : m_first(first.to(torch::kFloat).contiguous()),
      m_second(second.to(torch::kFloat).contiguous()) {
    if (m_first.dim() != 2 || m_second.dim() != 2 || m_second.size(0) != m_first.size(0) ||
        m_second.size(1) != m_first.size(0)) {
        throw std::invalid_argument("MLP router weights have inconsistent shapes");
    }
}

torch::Tensor MlpRouter::scores(const torch::Tensor& x, const ExpertFfn&) const {
    return torch::mm(torch::tanh(torch::mm(normalise(x), m_first.t())), m_second.t());
}

void MlpRouter::scoreRows(const float* x, int64_t rows, const ExpertFfn& experts, const int64_t*,
                          float* out) const {
    const int64_t d = experts.dModel(), n = m_first.size(0);
    thread_local std::vector<float> hidden;
    hidden.resize(static_cast<std::size_t>(rows * n));
    kernels::linearRows(normaliseRows(x, rows, d), rows, d, d, m_first.data_ptr<float>(), nullptr,
                        n, hidden.data(), n, false);
    for (float& h : hidden) {
        h = std::tanh(h);
    }
    kernels::linearRows(hidden.data(), rows, n, n, m_second.data_ptr<float>(), nullptr, n, out, n,
                        false);
}

double MlpRouter::train(const torch::Tensor& x, const ExpertFfn& experts,
                        const MlpRouterOptions& options, Feedback& feedback) {
    if (x.size(0) < 10) {
        throw std::invalid_argument("too few tokens to train a router (need at least 10)");
    }
    torch::Tensor inputs, targets;
    {
        torch::NoGradGuard noGrad;
        inputs = normalise(x);
        targets = experts.oracleScores(x);
    }
    const int64_t tokens = x.size(0);
    std::vector<int64_t> order(static_cast<std::size_t>(tokens));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(options.seed);
    std::shuffle(order.begin(), order.end(), rng);
    const int64_t heldOut =
        std::max<int64_t>(1, static_cast<int64_t>(tokens * options.heldOutShare));
    const auto all = torch::tensor(order);
    const auto validIndex = all.narrow(0, 0, heldOut);
    const auto trainIndex = all.narrow(0, heldOut, tokens - heldOut);

    auto first = m_first.clone().set_requires_grad(true);
    auto second = m_second.clone().set_requires_grad(true);
    torch::optim::Adam optimizer({first, second}, torch::optim::AdamOptions(options.learningRate));
    // Targets: oracle scores divided by their maximum in the batch (docs/algorithms.md, "Routers").
    auto lossOn = [&](const torch::Tensor& index) {
        const auto xi = inputs.index_select(0, index);
        const auto ti = targets.index_select(0, index);
        const auto logits = torch::mm(torch::tanh(torch::mm(xi, first.t())), second.t());
        return torch::binary_cross_entropy_with_logits(logits, ti / ti.max().clamp_min(1e-12));
    };
    double best;
    {
        torch::NoGradGuard noGrad;
        best = lossOn(validIndex).item<double>();
    }
    torch::Tensor bestFirst = m_first.clone(), bestSecond = m_second.clone();
    const int64_t trainCount = trainIndex.size(0);
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        const auto permuted = trainIndex.index_select(0, torch::randperm(trainCount));
        for (int64_t start = 0; start < trainCount; start += options.batchSize) {
            feedback.throwIfCancelled();
            const auto batch =
                permuted.narrow(0, start, std::min<int64_t>(options.batchSize, trainCount - start));
            optimizer.zero_grad();
            lossOn(batch).backward();
            optimizer.step();
        }
        torch::NoGradGuard noGrad;
        const double valid = lossOn(validIndex).item<double>();
        if (valid < best) {
            best = valid;
            bestFirst = first.detach().clone();
            bestSecond = second.detach().clone();
        }
        feedback.setProgress((epoch + 1.0) / options.epochs,
                             "router epoch " + std::to_string(epoch + 1) + " held-out loss " +
                                 std::to_string(valid));
    }
    m_first = bestFirst;
    m_second = bestSecond;
    return best;
}

namespace {

// splitmix64's finaliser (Steele, Lea & Flood 2014): a full-avalanche 64-bit mix, identical on
// every platform, so the hash table is fixed by the seed alone.
uint64_t splitmix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

HashRouter::HashRouter(uint64_t seed, int numExperts) : m_seed(seed), m_numExperts(numExperts) {
    if (numExperts < 1) {
        throw std::invalid_argument("a hash router needs at least one expert");
    }
}

float HashRouter::score(uint64_t seed, int64_t token, int expert) {
    const uint64_t h =
        splitmix64(splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(token)) + uint64_t(expert));
    return static_cast<float>(h >> 40) * (1.0f / 16777216.0f);  // top 24 bits: exact in float
}

torch::Tensor HashRouter::scores(const torch::Tensor&, const ExpertFfn&) const {
    throw std::invalid_argument(
        "the hash router routes by token id, but no token ids were given: run it inside the "
        "model (MoeLayer) or pass the ids from collectFfnInputs");
}

torch::Tensor HashRouter::scores(const torch::Tensor& x, const ExpertFfn& experts,
                                 const torch::Tensor& tokenIds) const {
    if (!tokenIds.defined()) {
        return scores(x, experts);  // throws the explanation above
    }
    if (experts.numExperts() != m_numExperts) {
        throw std::invalid_argument("the hash router was made for " + std::to_string(m_numExperts) +
                                    " experts, the layer has " +
                                    std::to_string(experts.numExperts()));
    }
    const auto ids = tokenIds.reshape({-1}).to(torch::kLong).contiguous();
    if (ids.size(0) != x.size(0)) {
        throw std::invalid_argument("the hash router got " + std::to_string(ids.size(0)) +
                                    " token ids for " + std::to_string(x.size(0)) + " tokens");
    }
    auto out = torch::empty({ids.size(0), m_numExperts}, torch::kFloat);
    const int64_t* id = ids.data_ptr<int64_t>();
    float* score = out.data_ptr<float>();
    for (int64_t t = 0; t < ids.size(0); ++t) {
        if (id[t] < 0) {
            throw std::invalid_argument("token ids must not be negative (got " +
                                        std::to_string(id[t]) + ")");
        }
        for (int e = 0; e < m_numExperts; ++e) {
            *score++ = HashRouter::score(m_seed, id[t], e);
        }
    }
    return out;
}

void HashRouter::scoreRows(const float*, int64_t rows, const ExpertFfn& experts,
                           const int64_t* tokenIds, float* out) const {
    if (!tokenIds) {
        scores(torch::Tensor(), experts);  // throws the explanation
    }
    if (experts.numExperts() != m_numExperts) {
        throw std::invalid_argument("the hash router was made for " + std::to_string(m_numExperts) +
                                    " experts, the layer has " +
                                    std::to_string(experts.numExperts()));
    }
    for (int64_t t = 0; t < rows; ++t) {
        if (tokenIds[t] < 0) {
            throw std::invalid_argument("token ids must not be negative (got " +
                                        std::to_string(tokenIds[t]) + ")");
        }
        for (int e = 0; e < m_numExperts; ++e) {
            *out++ = HashRouter::score(m_seed, tokenIds[t], e);
        }
    }
}

RouterQuality evaluateRouter(const Router& router, const ExpertFfn& experts,
                             const torch::Tensor& x) {
    return evaluateRouter(router, experts, x, torch::Tensor());
}

RouterQuality evaluateRouter(const Router& router, const ExpertFfn& experts, const torch::Tensor& x,
                             const torch::Tensor& tokenIds) {
    torch::NoGradGuard noGrad;
    const auto oracle = experts.oracleScores(x);
    const auto predicted = router.scores(x, experts, tokenIds);
    const int n = experts.numExperts();
    const auto oracleRank = oracle.argsort(1, true);
    const auto routerRank = predicted.argsort(1, true);
    const auto total = oracle.sum(1);
    const auto silent = total.le(0);  // tokens with no active neuron: fully covered by anything
    RouterQuality quality;
    for (int k = 1; k <= n; ++k) {
        const auto routerTop = routerRank.narrow(1, 0, k);
        const auto oracleTop = oracleRank.narrow(1, 0, k);
        // Membership of each expert in the oracle's top K, looked up at the router's choices.
        auto inOracle = torch::zeros({x.size(0), n}, torch::kFloat);
        inOracle.scatter_(1, oracleTop, 1.0);
        quality.recall.push_back(inOracle.gather(1, routerTop).sum(1).div(k).mean().item<double>());
        const auto covered = oracle.gather(1, routerTop).sum(1) / total.clamp_min(1e-12);
        quality.massCoverage.push_back(
            torch::where(silent, torch::ones_like(covered), covered).mean().item<double>());
        auto counts = torch::zeros({n}, torch::kDouble);
        counts.index_add_(0, routerTop.reshape({-1}),
                          torch::ones({routerTop.numel()}, torch::kDouble));
        const auto shares = counts / static_cast<double>(std::max<int64_t>(1, x.size(0)));
        quality.load.emplace_back(shares.data_ptr<double>(), shares.data_ptr<double>() + n);
        const double mean = shares.mean().item<double>();
        quality.loadCv.push_back(mean > 0 ? shares.std(/*unbiased=*/false).item<double>() / mean
                                          : 0.0);
    }
    return quality;
}

}  // namespace moewb
