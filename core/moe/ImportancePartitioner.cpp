#include "moewb/moe/ImportancePartitioner.h"

#include "../nmt/TokenBatches.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/util/Feedback.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

namespace moewb {
namespace {

bool isPowerOfTwo(int n) {
    return n > 0 && (n & (n - 1)) == 0;
}

// Computes the dense FFN while keeping h = x·W1ᵀ + b1, a = relu(h) and the output y of the last
// batch, so the Taylor terms can be formed from ∂L/∂h and ∂L/∂y afterwards. Per token t:
//     w1_j·∇w1_j L = Σ_t ∂L/∂h_tj · (h_tj − b1_j)      (since h_tj − b1_j = w1_j·x_t)
//     w2_j·∇w2_j L = Σ_t a_tj · (∂L/∂y_t · w2_j)
// so the per-sentence sums come from one batched backward (sentences do not interact).
class TaylorCapture : public FfnOverride {
public:
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        m_h = torch::linear(x, ffn.w1, ffn.b1);
        if (!m_h.requires_grad()) {
            m_h.requires_grad_(true);  // frozen weights and inputs: still differentiate here
        }
        m_a = torch::relu(m_h);
        m_y = torch::linear(m_a, ffn.w2, ffn.b2);
        return m_y;
    }
    const torch::Tensor& hidden() const { return m_h; }
    const torch::Tensor& output() const { return m_y; }

    // Per-sentence |Σ_t c_tj| summed over the batch's `rows` sentences, [d_ff] double.
    torch::Tensor sentenceTerms(const FeedForwardImpl& ffn, torch::Tensor gradH,
                                torch::Tensor gradY, int64_t rows) const {
        torch::NoGradGuard noGrad;
        const auto h = m_h.detach(), a = m_a.detach();
        if (!gradH.defined()) {
            gradH = torch::zeros_like(h);
        }
        if (!gradY.defined()) {
            gradY = torch::zeros_like(m_y);
        }
        const auto first = gradH * (h - ffn.b1.detach());
        const auto second = a * torch::mm(gradY, ffn.w2.detach());
        const auto perToken = (first + second).to(torch::kDouble);
        return perToken.view({rows, -1, h.size(1)}).sum(1).abs().sum(0);
    }
    void release() { m_h = m_a = m_y = torch::Tensor(); }

private:
    torch::Tensor m_h, m_a, m_y;
};

// The seeded sample: pairs in shuffled order until the token budget is spent.
std::vector<TokenPair> samplePairs(const NmtModel& model, const std::vector<SentencePair>& pairs,
                                   int64_t tokenBudget, std::uint64_t seed) {
    std::vector<std::size_t> order(pairs.size());
    std::iota(order.begin(), order.end(), 0);
    // Fisher-Yates on the raw generator output: the same sample with every standard library.
    std::mt19937_64 rng(seed);
    for (std::size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[rng() % i]);
    }
    std::vector<TokenPair> chosen;
    int64_t used = 0;
    for (std::size_t i = 0; i < order.size() && used < tokenBudget; ++i) {
        // One pair at a time: a large corpus is never tokenized whole for a small sample.
        auto one =
            tokenizePairs(model.tokenizer(), {pairs[order[i]]}, model.config().maxPositions - 2);
        for (auto& t : one) {
            used += static_cast<int64_t>(t.source.size() + t.target.size() + 1);
            chosen.push_back(std::move(t));
        }
    }
    return chosen;
}

}  // namespace

nlohmann::json ImportancePartitionOptions::toJson() const {
    return {{"num_experts", numExperts},
            {"shared_neurons", sharedNeurons},
            {"tokens", tokenBudget},
            {"seed", seed}};
}

void validateImportanceOptions(int dFf, const ImportancePartitionOptions& options) {
    const int n = options.numExperts, s = options.sharedNeurons;
    if (dFf <= 0) {
        throw std::invalid_argument("d_ff must be positive to split it into experts (got " +
                                    std::to_string(dFf) + ")");
    }
    if (n < 2 || !isPowerOfTwo(n)) {
        throw std::invalid_argument("the number of experts must be a power of two >= 2, not " +
                                    std::to_string(n));
    }
    if (s < 0 || s >= dFf) {
        throw std::invalid_argument("the number of shared neurons must be between 0 and " +
                                    std::to_string(dFf - 1) + " (d_ff = " + std::to_string(dFf) +
                                    "), not " + std::to_string(s));
    }
    if ((dFf - s) % n != 0 || dFf - s < n) {
        // Suggest the nearest shared counts that leave equal experts.
        // d_ff - s' divides by N for s' = s + r (r = (d_ff - s) mod N) and s' = s + r - N.
        const int above = s + (dFf - s) % n;
        const int below = above - n;
        std::string choices = below >= 0 ? std::to_string(below) : std::string();
        if (above < dFf && dFf - above >= n) {
            choices += (choices.empty() ? "" : " or ") + std::to_string(above);
        }
        throw std::invalid_argument(
            "cannot split d_ff - s = " + std::to_string(dFf) + " - " + std::to_string(s) + " = " +
            std::to_string(dFf - s) + " neurons into " + std::to_string(n) +
            " equal experts: choose a number of shared neurons such that d_ff - s divides by N" +
            (choices.empty() ? std::string() : ", e.g. " + choices));
    }
    if (options.tokenBudget <= 0) {
        throw std::invalid_argument("the importance token budget must be positive (got " +
                                    std::to_string(options.tokenBudget) + ")");
    }
    if (options.maxBatchTokens <= 0) {
        throw std::invalid_argument("the importance batch size must be positive (got " +
                                    std::to_string(options.maxBatchTokens) + " tokens)");
    }
}

ImportancePartitioner::ImportancePartitioner(ImportancePartitionOptions options)
    : m_options(options) {}

NeuronImportance ImportancePartitioner::measure(NmtModel& sharedModel,
                                                const std::vector<SentencePair>& pairs,
                                                Feedback& feedback) const {
    feedback.throwIfCancelled();
    // Gradients are taken on a private copy: the shared model serves other jobs meanwhile.
    const auto copy = sharedModel.clone();
    NmtModel& model = *copy;
    auto& transformer = model.transformer();
    auto ffns = transformer->feedForwards();
    validateImportanceOptions(static_cast<int>(ffns.at(0)->w1.size(0)), m_options);
    if (pairs.empty()) {
        throw std::invalid_argument(
            "the importance method needs training sentence pairs to take gradients on");
    }
    const auto sample = samplePairs(model, pairs, m_options.tokenBudget, m_options.seed);
    if (sample.empty()) {
        throw std::invalid_argument("none of the sentence pairs fits the model's " +
                                    std::to_string(model.config().maxPositions) + " positions");
    }
    std::vector<const TokenPair*> chosen;
    for (const auto& t : sample) {
        chosen.push_back(&t);
    }
    const auto batches = makeBatches(chosen, m_options.maxBatchTokens, nullptr);

    std::vector<std::shared_ptr<TaylorCapture>> captures;
    std::vector<std::shared_ptr<FfnOverride>> previous;
    for (auto& ffn : ffns) {
        captures.push_back(std::make_shared<TaylorCapture>());
        previous.push_back(ffn->override());
        ffn->setOverride(captures.back());
    }
    const bool wasTraining = transformer->is_training();
    // Restore overrides and mode however this ends (success, error, cancel).
    struct Restore {
        std::vector<FeedForward>& ffns;
        const std::vector<std::shared_ptr<FfnOverride>>& previous;
        Transformer& transformer;
        bool training;
        ~Restore() {
            for (std::size_t i = 0; i < ffns.size(); ++i) {
                ffns[i]->setOverride(previous[i]);
            }
            transformer->train(training);
        }
    } restore{ffns, previous, transformer, wasTraining};
    transformer->eval();  // no dropout: the loss of the model as it translates
    c10::InferenceMode notInference(false);
    torch::AutoGradMode withGrad(true);

    std::vector<torch::Tensor> totals;
    for (auto& ffn : ffns) {
        totals.push_back(torch::zeros({ffn->w1.size(0)}, torch::kDouble));
    }
    NeuronImportance result;
    for (std::size_t b = 0; b < batches.size(); ++b) {
        feedback.throwIfCancelled();
        const auto& batch = batches[b];
        const auto logits = transformer->forward(batch.source, batch.targetIn);
        // L of a pair = mean cross-entropy over its target tokens (what training minimises).
        const auto perToken =
            torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                                 batch.targetOut.reshape({-1}),
                                                 torch::nn::functional::CrossEntropyFuncOptions()
                                                     .ignore_index(SentencePieceModel::kPadId)
                                                     .reduction(torch::kNone))
                .view(batch.targetOut.sizes());
        const auto real = batch.targetOut.ne(SentencePieceModel::kPadId).to(torch::kFloat);
        const auto loss = (perToken.sum(1) / real.sum(1).clamp_min(1.0)).sum();
        std::vector<torch::Tensor> wrt;
        for (const auto& c : captures) {
            wrt.push_back(c->hidden());
            wrt.push_back(c->output());
        }
        // Gradients of the captured activations only: parameters' .grad stay untouched.
        const auto grads = torch::autograd::grad({loss}, wrt, {}, false, false, true);
        const int64_t rows = batch.source.size(0);
        for (std::size_t l = 0; l < captures.size(); ++l) {
            totals[l] += captures[l]->sentenceTerms(*ffns[l], grads[2 * l], grads[2 * l + 1], rows);
            captures[l]->release();
        }
        result.sourceTokens += batch.source.ne(SentencePieceModel::kPadId).sum().item<int64_t>();
        result.targetTokens += static_cast<int64_t>(real.sum().item<double>());
        result.sentences += rows;
        feedback.setProgress(double(b + 1) / batches.size(),
                             "importance: " + std::to_string(result.sentences) + " of " +
                                 std::to_string(sample.size()) + " sentence pairs");
    }
    for (const auto& t : totals) {
        const auto c = t.contiguous();
        result.layers.emplace_back(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    }
    return result;
}

ExpertPartition ImportancePartitioner::partition(const std::vector<double>& importance,
                                                 Feedback& feedback) const {
    feedback.throwIfCancelled();
    const int dFf = static_cast<int>(importance.size());
    validateImportanceOptions(dFf, m_options);
    for (double v : importance) {
        if (!(v >= 0.0)) {
            throw std::invalid_argument("neuron importance must be finite and >= 0");
        }
    }
    // Most important first; ties keep the lower neuron id first (reproducible).
    std::vector<int> ranked(static_cast<std::size_t>(dFf));
    std::iota(ranked.begin(), ranked.end(), 0);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](int a, int b) { return importance[a] > importance[b]; });

    const int s = m_options.sharedNeurons, n = m_options.numExperts;
    ExpertPartition result;
    result.method = kMethod;
    result.numExperts = n;
    result.shared.assign(ranked.begin(), ranked.begin() + s);
    std::sort(result.shared.begin(), result.shared.end());
    result.experts.resize(static_cast<std::size_t>(n));
    std::vector<double> expertImportance(static_cast<std::size_t>(n), 0.0);
    for (int r = s; r < dFf; ++r) {
        const int e = (r - s) % n;  // round-robin in order of importance
        result.experts[e].push_back(ranked[r]);
        expertImportance[e] += importance[ranked[r]];
    }
    for (auto& expert : result.experts) {
        std::sort(expert.begin(), expert.end());
    }
    const double total = std::accumulate(importance.begin(), importance.end(), 0.0);
    double kept = 0.0;
    for (int j : result.shared) {
        kept += importance[j];
    }
    const auto [least, most] =
        std::minmax_element(expertImportance.begin(), expertImportance.end());
    result.quality["importance_kept"] = total > 0 ? kept / total : 0.0;
    result.quality["importance_balance"] = *most > 0 ? *least / *most : 1.0;
    result.quality["shared_neurons"] = s;
    result.validate(dFf);
    feedback.setProgress(1.0, "importance partition");
    return result;
}

std::vector<ExpertPartition> ImportancePartitioner::partitionModel(
    NmtModel& model, const std::vector<SentencePair>& pairs, Feedback& feedback) const {
    SubFeedback measuring(feedback, 0.0, 0.95);
    const auto importance = measure(model, pairs, measuring);
    std::vector<ExpertPartition> layers;
    Feedback quiet;
    for (const auto& layer : importance.layers) {
        feedback.throwIfCancelled();
        layers.push_back(partition(layer, quiet));
    }
    feedback.setProgress(1.0,
                         "importance partition of " + std::to_string(layers.size()) + " layers");
    return layers;
}

}  // namespace moewb
