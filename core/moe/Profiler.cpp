#include "moewb/moe/Profiler.h"

#include "../nmt/TokenBatches.h"
#include "moewb/nmt/NmtModel.h"

#include <torch/torch.h>

#include <stdexcept>

namespace moewb {
namespace {

// Computes the dense FFN and, on the side, accumulates firing statistics of h = x·W1ᵀ + b1.
class ProfilingHook : public FfnOverride {
public:
    explicit ProfilingHook(int dFf)
        : m_counts(torch::zeros({dFf}, torch::kLong)),
          m_co(torch::zeros({dFf, dFf}, torch::kLong)) {}

    // Which of the next batch's flattened positions are real tokens (1) or padding (0).
    void setTokenMask(const torch::Tensor& mask) {
        m_mask = mask.reshape({-1, 1}).to(torch::kFloat);
    }

    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        const auto h = torch::linear(x, ffn.w1, ffn.b1);
        const auto fired = h.gt(0).to(torch::kFloat) * m_mask;
        // Per batch (≤ a few thousand tokens) the float product is exact; the running total
        // is kept in 64-bit integers.
        m_co += torch::matmul(fired.t(), fired).round().to(torch::kLong);
        m_counts += fired.sum(0).round().to(torch::kLong);
        m_tokens += static_cast<int64_t>(m_mask.sum().item<double>());
        return torch::linear(torch::relu(h), ffn.w2, ffn.b2);
    }

    void exportTo(LayerProfile& layer) const {
        const auto counts = m_counts.contiguous();
        const auto co = m_co.contiguous();
        layer.tokens = m_tokens;
        layer.activations.assign(counts.data_ptr<int64_t>(),
                                 counts.data_ptr<int64_t>() + counts.numel());
        layer.coActivation.assign(co.data_ptr<int64_t>(), co.data_ptr<int64_t>() + co.numel());
    }

private:
    torch::Tensor m_counts, m_co, m_mask;
    int64_t m_tokens = 0;
};

}  // namespace

double LayerProfile::sparsity() const {
    if (tokens == 0 || dFf == 0) {
        return 0.0;
    }
    int64_t fired = 0;
    for (auto a : activations) {
        fired += a;
    }
    return 1.0 - static_cast<double>(fired) / (static_cast<double>(tokens) * dFf);
}

std::vector<double> LayerProfile::frequencies() const {
    std::vector<double> out(activations.size(), 0.0);
    for (std::size_t i = 0; i < out.size() && tokens > 0; ++i) {
        out[i] = static_cast<double>(activations[i]) / static_cast<double>(tokens);
    }
    return out;
}

void ProfileResult::merge(const ProfileResult& other) {
    if (layers.empty()) {
        *this = other;
        return;
    }
    if (other.layers.size() != layers.size()) {
        throw std::invalid_argument(
            "cannot merge profiles of different models (layer counts differ)");
    }
    for (std::size_t l = 0; l < layers.size(); ++l) {
        auto& mine = layers[l];
        const auto& theirs = other.layers[l];
        if (mine.dFf != theirs.dFf || mine.name != theirs.name) {
            throw std::invalid_argument("cannot merge profiles of different models (layer " +
                                        mine.name + " differs)");
        }
        mine.tokens += theirs.tokens;
        for (std::size_t i = 0; i < mine.activations.size(); ++i) {
            mine.activations[i] += theirs.activations[i];
        }
        for (std::size_t i = 0; i < mine.coActivation.size(); ++i) {
            mine.coActivation[i] += theirs.coActivation[i];
        }
    }
    sourceTokens += other.sourceTokens;
    targetTokens += other.targetTokens;
    sentences += other.sentences;
}

ProfileResult profileModel(NmtModel& model, const std::vector<SentencePair>& pairs,
                           const ProfileOptions& options, Feedback& feedback) {
    if (pairs.empty()) {
        throw std::invalid_argument("nothing to profile: give sentence pairs");
    }
    if (options.tokenBudget <= 0) {
        throw std::invalid_argument("the profiling token budget must be positive");
    }
    auto& transformer = model.transformer();
    auto ffns = transformer->feedForwards();
    // The hooks go in a plan of this call only: the model stays as it is for other threads.
    std::vector<std::shared_ptr<ProfilingHook>> hooks;
    FfnPlan plan;
    for (auto& ffn : ffns) {
        hooks.push_back(std::make_shared<ProfilingHook>(static_cast<int>(ffn->w1.size(0))));
        plan.layers.push_back(hooks.back());
    }
    const FfnPlanScope scope(&plan);

    ProfileResult result;
    // Take pairs in order until the budget is spent (deterministic for a given corpus).
    const auto tokens = tokenizePairs(model.tokenizer(), pairs, model.config().maxPositions - 2);
    std::vector<const TokenPair*> chosen;
    int64_t budget = 0;
    for (const auto& t : tokens) {
        if (budget >= options.tokenBudget) {
            break;
        }
        chosen.push_back(&t);
        budget += static_cast<int64_t>(t.source.size() + t.target.size() + 1);
    }
    const auto batches = makeBatches(chosen, options.maxBatchTokens, nullptr);
    const bool wasTraining = transformer->is_training();
    transformer->eval();
    torch::InferenceMode inference;
    int64_t done = 0;
    for (const auto& batch : batches) {
        feedback.throwIfCancelled();
        // Padding positions run through the FFNs too; the masks keep them out of the counts.
        const auto srcReal = batch.source.ne(SentencePieceModel::kPadId);
        const auto tgtReal = batch.targetIn.ne(SentencePieceModel::kPadId);
        for (std::size_t l = 0; l < hooks.size(); ++l) {
            hooks[l]->setTokenMask(static_cast<int>(l) < model.config().encoderLayers ? srcReal
                                                                                      : tgtReal);
        }
        transformer->forward(batch.source, batch.targetIn);
        result.sourceTokens += srcReal.sum().item<int64_t>();
        result.targetTokens += tgtReal.sum().item<int64_t>();
        result.sentences += batch.source.size(0);
        done += batch.tokens;
        feedback.setProgress(
            std::min(1.0, static_cast<double>(done) / budget),
            "profiled " + std::to_string(done) + " of " + std::to_string(budget) + " tokens");
    }
    transformer->train(wasTraining);
    const int encoderLayers = model.config().encoderLayers;
    for (std::size_t l = 0; l < hooks.size(); ++l) {
        LayerProfile layer;
        const int index = static_cast<int>(l);
        layer.name = index < encoderLayers ? "encoder" + std::to_string(index)
                                           : "decoder" + std::to_string(index - encoderLayers);
        layer.dFf = static_cast<int>(ffns[l]->w1.size(0));
        hooks[l]->exportTo(layer);
        result.layers.push_back(std::move(layer));
    }
    return result;
}

}  // namespace moewb
