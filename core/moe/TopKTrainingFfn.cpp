#include "TopKTrainingFfn.h"

#include <algorithm>
#include <cmath>

namespace moewb {
namespace {

// Squared coefficient of variation, the balance measure of Shazeer et al.'s auxiliary losses.
torch::Tensor squaredCv(const torch::Tensor& v) {
    return v.var(/*unbiased=*/false) / (v.mean().pow(2) + 1e-10);
}

}  // namespace

TopKTrainingFfn::TopKTrainingFfn(const ExpertPartition& partition, int k)
    : m_n(partition.numExperts), m_k(k), m_balance(torch::zeros({})) {
    const auto of = partition.expertOf();
    std::vector<int64_t> index(of.size());
    for (std::size_t j = 0; j < of.size(); ++j) {
        index[j] = of[j] < 0 ? m_n : of[j];  // shared neurons: an always-on column N
    }
    m_expertOf = torch::tensor(index, torch::kLong);
}

void TopKTrainingFfn::useRouter(std::shared_ptr<const Router> router,
                                std::shared_ptr<const ExpertFfn> experts) {
    m_router = std::move(router);
    m_routerExperts = std::move(experts);
}

void TopKTrainingFfn::useGate(torch::Tensor weight, torch::Tensor noiseWeight) {
    m_gate = std::move(weight);
    m_gateNoise = std::move(noiseWeight);
}

torch::Tensor TopKTrainingFfn::forward(const FeedForwardImpl& ffn, const torch::Tensor& x) {
    const auto hidden = torch::relu(torch::addmm(ffn.b1, x, ffn.w1.t()));
    torch::Tensor kept = hidden;
    m_balance = torch::zeros({}, hidden.options());
    if (m_k < m_n) {
        const auto weights =
            m_gate.defined() ? gateWeights(x, ffn.is_training()) : expertWeights(x, hidden);
        const auto withShared =
            torch::cat({weights, torch::ones({x.size(0), 1}, weights.options())}, 1);
        kept = hidden * withShared.index_select(1, m_expertOf);
    }
    auto out = torch::addmm(ffn.b2, kept, ffn.w2.t());
    if (m_recording) {
        m_last = out;
    }
    return out;
}

torch::Tensor TopKTrainingFfn::expertWeights(const torch::Tensor& x, const torch::Tensor& hidden) {
    torch::NoGradGuard noGrad;
    torch::Tensor scores;
    if (m_router) {
        scores = m_router->scores(x.detach(), *m_routerExperts).to(hidden.scalar_type());
    } else {
        const auto mass = torch::zeros({x.size(0), m_n + 1}, hidden.options());
        mass.index_add_(1, m_expertOf, hidden.detach());
        scores = mass.narrow(1, 0, m_n);
    }
    const auto top = std::get<1>(scores.topk(m_k, 1));
    return torch::zeros({x.size(0), m_n}, hidden.options()).scatter_(1, top, 1.0);
}

torch::Tensor TopKTrainingFfn::gateWeights(const torch::Tensor& x, bool training) {
    const auto unit = GateRouter::normalisedInput(x);
    const auto clean = torch::mm(unit, m_gate.t());  // [T, N]
    torch::Tensor noisy = clean, noiseStd;
    if (training) {
        noiseStd = torch::softplus(torch::mm(unit, m_gateNoise.t()));
        noisy = clean + torch::randn_like(clean) * noiseStd;
    }
    const auto top = noisy.topk(std::min(m_k + 1, m_n), 1);
    const auto& topValues = std::get<0>(top);
    const auto chosen = std::get<1>(top).narrow(1, 0, m_k);
    const auto selected = torch::zeros_like(clean).scatter_(1, chosen, 1.0);
    const auto gates =
        torch::zeros_like(clean).scatter(1, chosen, torch::softmax(topValues.narrow(1, 0, m_k), 1));
    if (training) {
        // P(expert e stays in the top K when only its own noise is drawn again): above the K-th
        // largest of the others, i.e. the (K+1)-th overall when e is chosen, the K-th otherwise.
        const auto threshold = torch::where(selected > 0, topValues.narrow(1, m_k, 1),
                                            topValues.narrow(1, m_k - 1, 1));
        const auto inTop =
            0.5 * (1 + torch::erf((clean - threshold) / (noiseStd * std::sqrt(2.0))));
        m_balance = squaredCv(gates.sum(0)) + squaredCv(inTop.sum(0));
    }
    return selected * (1 + gates - gates.detach());
}

}  // namespace moewb
