#include "moewb/corpus/CorpusSplit.h"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace moewb {

namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash) {
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= kFnvPrime;
    }
    return hash;
}

// MurmurHash3's fmix64: spreads FNV-1a's weakly mixed bits over the whole word, so the top bits
// used for u are uniform even for short, similar strings.
std::uint64_t finalise(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

}  // namespace

const char* splitName(Split split) {
    switch (split) {
        case Split::Train:
            return "train";
        case Split::Valid:
            return "valid";
        case Split::Test:
            return "test";
    }
    return "train";
}

void validateSplitOptions(const SplitOptions& options) {
    auto fraction = [](double value) { return value >= 0.0 && value <= 1.0; };  // false for NaN
    if (!fraction(options.validFraction) || !fraction(options.testFraction) ||
        options.validFraction + options.testFraction > 1.0) {
        char values[96];
        std::snprintf(values, sizeof values, "valid=%g test=%g", options.validFraction,
                      options.testFraction);
        throw std::invalid_argument(std::string("invalid split fractions ") + values +
                                    " (each must be between 0 and 1, and together at most 1)");
    }
}

std::uint64_t pairHash(const SentencePair& pair) {
    std::uint64_t hash = fnv1a(pair.source, kFnvOffset);
    hash = fnv1a(std::string_view("\t", 1), hash);
    return finalise(fnv1a(pair.target, hash));
}

double pairUnitValue(const SentencePair& pair) {
    return static_cast<double>(pairHash(pair) >> 11) * 0x1.0p-53;  // 53 bits -> [0, 1)
}

Split splitOf(const SentencePair& pair, const SplitOptions& options) {
    const double u = pairUnitValue(pair);
    if (u < options.testFraction) {
        return Split::Test;
    }
    if (u < options.testFraction + options.validFraction) {
        return Split::Valid;
    }
    return Split::Train;
}

CorpusSplits splitCorpus(const ParallelCorpus& corpus, const SplitOptions& options) {
    validateSplitOptions(options);
    CorpusSplits splits;
    splits.train.description = corpus.description + " [train]";
    splits.valid.description = corpus.description + " [valid]";
    splits.test.description = corpus.description + " [test]";
    for (const SentencePair& pair : corpus.pairs) {
        switch (splitOf(pair, options)) {
            case Split::Train:
                splits.train.pairs.push_back(pair);
                break;
            case Split::Valid:
                splits.valid.pairs.push_back(pair);
                break;
            case Split::Test:
                splits.test.pairs.push_back(pair);
                break;
        }
    }
    return splits;
}

}  // namespace moewb
