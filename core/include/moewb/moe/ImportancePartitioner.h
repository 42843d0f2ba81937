#pragma once
// Importance-guided partitioner with shared neurons (MoEBERT; docs/algorithms.md,
// "Importance with shared neurons"). The importance of FFN neuron j is the first-order Taylor
// estimate of the loss change when it is removed,
//     I_j = Σ_{pairs} |w1_j·∇w1_j L + w2_j·∇w2_j L|
// (w1_j row j of W1, w2_j column j of W2, L the teacher-forced translation cross-entropy of one
// sentence pair). The s most important neurons are shared by every expert; the rest are dealt
// round-robin in order of importance, so every expert gets a similar share of what matters.

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/moe/ExpertPartition.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace moewb {

class Feedback;
class NmtModel;

struct ImportancePartitionOptions {
    int numExperts = 16;         // N: a power of two >= 2 dividing d_ff - s (default 16)
    int sharedNeurons = 64;      // s: most important neurons, kept in every expert (default 64)
    int64_t tokenBudget = 4000;  // source + target tokens of the gradient sample (default 4000)
    std::uint64_t seed = 1;      // picks the sample of training pairs (default 1)
    int maxBatchTokens = 2000;   // padded tokens per backward pass; bounds memory (default 2000)

    nlohmann::json toJson() const;
};

// Throws std::invalid_argument unless N is a power of two >= 2, 0 <= s < d_ff and d_ff - s splits
// into N equal experts; the message says which shared counts would work.
void validateImportanceOptions(int dFf, const ImportancePartitionOptions& options);

// I_j of every neuron of every FFN layer (encoder layers first), summed over the sample.
struct NeuronImportance {
    std::vector<std::vector<double>> layers;  // [layer][neuron]
    int64_t sourceTokens = 0;                 // real tokens in the sample (EOS included)
    int64_t targetTokens = 0;
    int64_t sentences = 0;
};

class ImportancePartitioner {
public:
    static constexpr const char* kMethod = "importance";

    explicit ImportancePartitioner(ImportancePartitionOptions options = {});
    const ImportancePartitionOptions& options() const { return m_options; }

    // Backward passes through the real model on a seeded sample of `pairs` (shuffled, then taken
    // until tokenBudget tokens). The model's weights, gradients, mode and FFN overrides are left
    // as they were. Throws std::invalid_argument on no usable pairs; OperationCancelled.
    NeuronImportance measure(NmtModel& model, const std::vector<SentencePair>& pairs,
                             Feedback& feedback) const;

    // Splits one layer given its neurons' importance. Quality figures: "importance_kept" (share
    // of the layer's importance in the shared neurons), "importance_balance" (least / most
    // important expert, 1 = even) and "shared_neurons".
    ExpertPartition partition(const std::vector<double>& importance, Feedback& feedback) const;

    // measure() then partition() for every FFN layer.
    std::vector<ExpertPartition> partitionModel(NmtModel& model,
                                                const std::vector<SentencePair>& pairs,
                                                Feedback& feedback) const;

private:
    ImportancePartitionOptions m_options;
};

}  // namespace moewb
