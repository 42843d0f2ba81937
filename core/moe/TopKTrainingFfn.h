#pragma once
// The FFNs of MoE fine-tuning (MoeFinetuner.cpp): the student's top-K FFN, which runs K experts
// per token chosen by one of three rules, and the teacher's dense FFN that records its output.

#include "moewb/moe/ExpertPartition.h"
#include "moewb/moe/Router.h"
#include "moewb/nmt/Transformer.h"

#include <torch/torch.h>

#include <memory>

namespace moewb {

// The student's FFN during fine-tuning: the dense hidden layer, the K chosen experts of each
// token kept and the rest zeroed before W2. Zeroed neurons get no gradient, exactly as if they
// had not been computed. At training sizes (thousands of tokens) the masked dense products beat
// any sparse scheme in LibTorch, and the current-weights rule needs the whole W1 product anyway.
//
// The choice of experts:
// - current weights (default): largest relu mass of the token's hidden layer (the oracle rule);
// - a fixed router: its top K on the FFN input (e.g. the MLP router trained on the dense model);
// - a joint gate (Shazeer et al. 2017, "noisy top-K gating"): logits W x̂ plus Gaussian noise of
//   learnt scale softplus(W_noise x̂) while training, top K kept, G = softmax over them. Each
//   kept expert's output is multiplied by 1 + G − stop_gradient(G): the forward pass stays the
//   unweighted sum of the experts that MoE inference computes (MoEfied experts are slices of one
//   FFN, a weighted sum would change what the dense weights mean), while the task loss reaches
//   the gate through G. balanceLoss() is CV(importance)² + CV(load)², the paper's auxiliary
//   losses (load from the smooth estimator P(noisy logit stays in the top K)).
class TopKTrainingFfn : public FfnOverride {
public:
    TopKTrainingFfn(const ExpertPartition& partition, int k);
    void setK(int k) { m_k = k; }
    void setRecording(bool on) { m_recording = on; }
    // Routes by a fixed router (scores(x, experts)) instead of the current weights.
    void useRouter(std::shared_ptr<const Router> router, std::shared_ptr<const ExpertFfn> experts);
    // Routes by a joint gate: weight [N, d] and noise weight [N, d], both trained by the caller.
    void useGate(torch::Tensor weight, torch::Tensor noiseWeight);
    const torch::Tensor& lastOutput() const { return m_last; }
    // The gate's auxiliary loss of the last forward pass (0 without a gate or at K = N).
    const torch::Tensor& balanceLoss() const { return m_balance; }

    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override;

private:
    // [T, N] multiplier of each expert's output (0 = not run) for the rule in use.
    torch::Tensor expertWeights(const torch::Tensor& x, const torch::Tensor& hidden);
    torch::Tensor gateWeights(const torch::Tensor& x, bool training);

    int m_n;
    int m_k;
    bool m_recording = false;
    torch::Tensor m_expertOf;  // neuron -> expert, N for shared neurons
    torch::Tensor m_last;
    torch::Tensor m_balance;
    std::shared_ptr<const Router> m_router;
    std::shared_ptr<const ExpertFfn> m_routerExperts;
    torch::Tensor m_gate, m_gateNoise;
};

// The teacher's FFN, dense, keeping its output for the MSE term.
class RecordingDenseFfn : public FfnOverride {
public:
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        m_last = ffn.dense(x);
        return m_last;
    }
    const torch::Tensor& lastOutput() const { return m_last; }

private:
    torch::Tensor m_last;
};

}  // namespace moewb
