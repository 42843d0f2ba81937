#include "moewb/corpus/CorpusStatistics.h"

#include "moewb/corpus/Utf8.h"

#include <algorithm>
#include <vector>

namespace moewb {

namespace {

SideStatistics sideStatistics(const ParallelCorpus& corpus, bool source) {
    SideStatistics stats;
    if (corpus.pairs.empty()) {
        return stats;
    }
    std::vector<std::size_t> lengths;
    lengths.reserve(corpus.pairs.size());
    for (const SentencePair& pair : corpus.pairs) {
        const std::string& text = source ? pair.source : pair.target;
        lengths.push_back(countWords(text));
        stats.words += lengths.back();
        stats.characters += countCodePoints(text);
    }
    const auto [low, high] = std::minmax_element(lengths.begin(), lengths.end());
    stats.minWords = *low;
    stats.maxWords = *high;
    stats.meanWords = static_cast<double>(stats.words) / static_cast<double>(lengths.size());
    const std::size_t middle = lengths.size() / 2;
    std::nth_element(lengths.begin(), lengths.begin() + middle, lengths.end());
    const double upper = static_cast<double>(lengths[middle]);
    if (lengths.size() % 2 == 1) {
        stats.medianWords = upper;
    } else {
        const double lower =
            static_cast<double>(*std::max_element(lengths.begin(), lengths.begin() + middle));
        stats.medianWords = (lower + upper) / 2.0;
    }
    return stats;
}

}  // namespace

std::size_t countWords(std::string_view text) {
    std::size_t words = 0;
    bool inWord = false;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\t';
        if (!space && !inWord) {
            ++words;
        }
        inWord = !space;
    }
    return words;
}

CorpusStatistics computeStatistics(const ParallelCorpus& corpus) {
    CorpusStatistics stats;
    stats.pairs = corpus.pairs.size();
    stats.source = sideStatistics(corpus, true);
    stats.target = sideStatistics(corpus, false);
    return stats;
}

}  // namespace moewb
