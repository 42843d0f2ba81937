#pragma once
// Size and length statistics of a parallel corpus. Words are runs of non-space characters
// (space, tab); characters are Unicode code points.

#include "moewb/corpus/ParallelCorpus.h"

#include <cstddef>
#include <string_view>

namespace moewb {

// One side (German or English) of a corpus. All zero for an empty corpus.
struct SideStatistics {
    std::size_t words = 0;       // total words
    std::size_t characters = 0;  // total code points
    std::size_t minWords = 0;    // words in the shortest sentence
    std::size_t maxWords = 0;    // words in the longest sentence
    double meanWords = 0.0;      // mean words per sentence
    double medianWords = 0.0;    // median words per sentence (mean of the middle two when even)
};

struct CorpusStatistics {
    std::size_t pairs = 0;
    SideStatistics source;  // German
    SideStatistics target;  // English
};

// Counts the words of `text` (runs of characters other than space and tab).
std::size_t countWords(std::string_view text);

CorpusStatistics computeStatistics(const ParallelCorpus& corpus);

}  // namespace moewb
