#pragma once
// Sentence pairs (German source, English target) and the deterministic train/valid/test split.

#include <cstddef>
#include <string>
#include <vector>

namespace moewb {

struct SentencePair {
    std::string source;  // German
    std::string target;  // English
};

inline bool operator==(const SentencePair& a, const SentencePair& b) {
    return a.source == b.source && a.target == b.target;
}
inline bool operator!=(const SentencePair& a, const SentencePair& b) {
    return !(a == b);
}

struct ParallelCorpus {
    std::vector<SentencePair> pairs;
    std::string description;  // where it came from, e.g. "ding:/usr/share/trans/de-en (sentences)"
};

// What a reader saw besides the pairs it returned (all counts start at 0).
struct CorpusReadStats {
    std::size_t linesRead = 0;            // lines read (for Moses: line pairs)
    std::size_t commentLines = 0;         // Ding: lines starting with '#'
    std::size_t skippedEmpty = 0;         // Moses/TSV: pairs with an empty side, skipped
    std::size_t skippedMalformed = 0;     // Ding: lines without " :: ", skipped
    std::size_t skippedPartMismatch = 0;  // Ding: lines whose sides differ in " | " parts
    std::size_t skippedOtherMode = 0;     // Ding: pairs that belong to the mode not asked for
    std::size_t duplicates = 0;           // identical pairs dropped (the first one is kept)
};

}  // namespace moewb
