#pragma once
// The deterministic train/valid/test split: a pair's split depends only on its text, through a
// stable 64-bit hash (FNV-1a over source + '\t' + target, then a 64-bit finaliser), so the same
// corpus yields the same test set on every run and every machine, whatever the order of the
// pairs. Identical pairs always land in the same split.
//
// The hash is mapped to u in [0, 1): u < testFraction is Test, u < testFraction + validFraction
// is Valid, everything else is Train. The test set is carved out first, so changing
// validFraction never moves a pair into or out of the test set.

#include "moewb/corpus/ParallelCorpus.h"

#include <cstdint>
#include <string_view>

namespace moewb {

enum class Split { Train, Valid, Test };

// "train", "valid", "test".
const char* splitName(Split split);

struct SplitOptions {
    double validFraction = 0.02;  // share of pairs in the validation split; default 0.02 (2 %)
    double testFraction = 0.02;   // share of pairs in the test split; default 0.02 (2 %)
};

// Throws std::invalid_argument unless both fractions are in [0, 1] and sum to at most 1.
void validateSplitOptions(const SplitOptions& options);

// The stable hash of a pair and its position in [0, 1).
std::uint64_t pairHash(const SentencePair& pair);
double pairUnitValue(const SentencePair& pair);

Split splitOf(const SentencePair& pair, const SplitOptions& options);

struct CorpusSplits {
    ParallelCorpus train;
    ParallelCorpus valid;
    ParallelCorpus test;
};

// Splits `corpus` keeping the pairs' order within each split. Descriptions get " [train]" etc.
// appended. Throws std::invalid_argument for invalid options.
CorpusSplits splitCorpus(const ParallelCorpus& corpus, const SplitOptions& options);

}  // namespace moewb
