#pragma once
// Activation profiling of every FFN layer (docs/algorithms.md, "Profiling"): a teacher-forced pass
// over a token budget; per layer the zero fraction of relu(h), per-neuron activation counts and the
// co-activation matrix C = aᵀa with a = (h > 0), accumulated in 64-bit. Profiles of token shards
// merge by addition, which is what lets profiling scale out.

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/util/Feedback.h"

#include <cstdint>
#include <string>
#include <vector>

namespace moewb {

class NmtModel;

struct LayerProfile {
    std::string name;                  // "encoder0" … "decoder2"
    int dFf = 0;                       // neurons
    int64_t tokens = 0;                // tokens that went through this FFN
    std::vector<int64_t> activations;  // [d_ff] tokens on which each neuron fired
    std::vector<int64_t>
        coActivation;  // [d_ff × d_ff] row-major, symmetric; diagonal = activations

    // Fraction of zeros in relu(h) over all tokens and neurons.
    double sparsity() const;
    // Per-neuron firing frequency in [0, 1].
    std::vector<double> frequencies() const;
    int64_t coActivationAt(int i, int j) const { return coActivation[std::size_t(i) * dFf + j]; }
};

struct ProfileResult {
    std::vector<LayerProfile> layers;  // encoder layers first, then decoder layers
    int64_t sourceTokens = 0;          // encoder tokens profiled
    int64_t targetTokens = 0;          // decoder tokens profiled
    int64_t sentences = 0;             // pairs profiled

    // Adds another shard's counts (same model). Throws std::invalid_argument on a mismatch.
    void merge(const ProfileResult& other);
};

struct ProfileOptions {
    int64_t tokenBudget = 20000;  // source + target tokens to profile (default 20 000)
    int maxBatchTokens = 3000;    // padded tokens per forward pass (default 3000)
};

// Profiles `pairs` (in order, until the budget is reached). The model is left unchanged.
ProfileResult profileModel(NmtModel& model, const std::vector<SentencePair>& pairs,
                           const ProfileOptions& options, Feedback& feedback);

}  // namespace moewb
