#pragma once
// Runs one FFN as a mixture of experts: the router scores the experts of each token, the top K
// are computed by the ExpertFfn, the rest are skipped. Installed on a Transformer's FFN through
// FfnOverride, so a model switches between dense and MoE at run time without reloading.

#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/Router.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace moewb {

struct RouterSet;

// Multiply-adds done by MoE FFNs, and what the dense FFNs would have done on the same tokens.
struct MoeCompute {
    int64_t tokens = 0;    // rows that went through the layer(s)
    double macs = 0;       // multiply-adds done: router + shared neurons + selected experts
    double denseMacs = 0;  // multiply-adds of the dense FFN on the same rows
    double expertsPerToken() const;  // mean experts per token (selected, shared excluded)
    int64_t expertSlots = 0;         // experts run, summed over tokens
    // The "compute" every view and table shows: macs / denseMacs (1 when nothing ran).
    double fraction() const { return denseMacs > 0 ? macs / denseMacs : 1.0; }
    MoeCompute& operator+=(const MoeCompute& other);
};

class MoeLayer : public FfnOverride {
public:
    MoeLayer(std::shared_ptr<const ExpertFfn> experts, std::shared_ptr<const Router> router, int k);

    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override;
    // tokenIds [T] (or undefined) go to the router; routers keyed on the token need them.
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x,
                          const torch::Tensor& tokenIds) override;

    // The FFN output with `k` experts per token for x [T, d] (tokenIds [T] or undefined); when
    // `chosen` is given it receives the experts of each token [T, k], best first. Changes nothing
    // in the layer, so any number of threads may call it at once. Up to
    // ExpertFfn::kernelMaxTokens() tokens, routing, top-K and the experts run in one kernel call
    // on raw memory; beyond, through LibTorch's per-expert dispatch.
    // `threshold` > 0 turns on dynamic K with k as the most experts (see setThreshold); slots a
    // token did not use hold -1 in `chosen`.
    torch::Tensor compute(const torch::Tensor& x, const torch::Tensor& tokenIds, int k,
                          torch::Tensor* chosen = nullptr, double threshold = 0) const;

    void setK(int k);  // 1 … N; thread-safe with respect to a running forward
    int k() const { return m_k.load(); }
    // Dynamic K (docs/moe-quality.md, "Per-layer and dynamic K"): with a threshold τ in (0, 1),
    // each token takes the fewest experts whose router mass shares (Router::massShares) reach τ, at
    // most k(); 0 = fixed K.
    void setThreshold(double threshold);
    double threshold() const { return m_threshold.load(); }

    // Multiply-adds of this layer since the last resetComputeCount(), against the dense FFN on the
    // same tokens (docs/moe-quality.md, "Compute": router and shared neurons included).
    MoeCompute computeCount() const;
    void resetComputeCount();
    const ExpertFfn& experts() const { return *m_experts; }
    const Router& router() const { return *m_router; }
    // Wall time spent inside this FFN (routing + experts) since the last reset, in seconds.
    double seconds() const { return m_nanoseconds.load() * 1e-9; }
    void resetTiming() { m_nanoseconds = 0; }

    // Recording of the experts chosen for each token, for showing which experts fired (the
    // translator's per-token strip). Off by default: it costs a copy per call.
    void setRecording(bool on);
    // The expert ids [T, K] (int64, best first) of every forward call since recording started or
    // the last take, in call order; clears the record. At K = N every expert is listed.
    std::vector<torch::Tensor> takeRecording();

private:
    std::shared_ptr<const ExpertFfn> m_experts;
    std::shared_ptr<const Router> m_router;
    std::atomic<int> m_k;
    std::atomic<double> m_threshold{0.0};
    mutable std::atomic<int64_t> m_countTokens{0}, m_countSlots{0}, m_countRouted{0};
    std::atomic<int64_t> m_nanoseconds{0};
    std::atomic<bool> m_recording{false};
    std::mutex m_recordMutex;
    std::vector<torch::Tensor> m_record;
};

// Token-weighted compute of all the layers (encoder and decoder) since their last
// resetComputeCount().
MoeCompute totalCompute(const std::vector<std::shared_ptr<MoeLayer>>& layers);

// One MoE layer per FFN over `experts` and `routers` (RouterSet.h): K = encoderK on the first
// `encoderLayers` layers and decoderK on the rest, with the dynamic-K threshold τ (0 = fixed K).
// Fresh layers, so their K, timing, recording and compute counts belong to the caller alone.
std::vector<std::shared_ptr<MoeLayer>> makeMoeLayers(
    const std::vector<std::shared_ptr<ExpertFfn>>& experts, const RouterSet& routers,
    int encoderLayers, int encoderK, int decoderK, double threshold = 0.0);

// The plan (Transformer.h) that runs layers[i] on the i-th FFN; null entries stay dense.
FfnPlan makeMoePlan(const std::vector<std::shared_ptr<MoeLayer>>& layers);

// Puts layers[i] on the i-th FFN (encoder layers first); a null entry keeps that FFN dense.
void installMoe(Transformer& transformer, const std::vector<std::shared_ptr<MoeLayer>>& layers);
// Every FFN back to dense.
void removeMoe(Transformer& transformer);

}  // namespace moewb
