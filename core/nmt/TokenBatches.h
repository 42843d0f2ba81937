#pragma once
// Tokenized sentence pairs grouped into length-bucketed batches (private to core/nmt).

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/text/SentencePieceModel.h"

#include <torch/types.h>

#include <cstdint>
#include <random>
#include <vector>

namespace moewb {

struct TokenPair {
    std::vector<int> source;  // pieces + EOS
    std::vector<int> target;  // pieces (BOS/EOS added when batching)
};

struct TokenBatch {
    torch::Tensor source;      // [B, S] padded
    torch::Tensor targetIn;    // [B, T] BOS + target
    torch::Tensor targetOut;   // [B, T] target + EOS
    int64_t tokens = 0;        // unpadded source + target tokens (EOS included)
    int64_t targetTokens = 0;  // unpadded target tokens (EOS included)
};

// Encodes pairs; drops pairs longer than maxTokens on either side.
std::vector<TokenPair> tokenizePairs(const SentencePieceModel& tokenizer,
                                     const std::vector<SentencePair>& pairs, int maxTokens);

// Groups pairs of similar length so that rows × longest (source + target) ≤ maxBatchTokens; the
// order of batches is shuffled with `rng` (pass nullptr to keep length order, for evaluation).
std::vector<TokenBatch> makeBatches(const std::vector<const TokenPair*>& pairs, int maxBatchTokens,
                                    std::mt19937_64* rng);

}  // namespace moewb
