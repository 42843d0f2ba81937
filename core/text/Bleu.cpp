#include "moewb/text/Bleu.h"

#include "moewb/text/Tokenizer13a.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace moewb {

namespace {

// sacreBLEU's my_log(0).
constexpr double kLogZero = -9999999999.0;

// N-grams are compared as tuples of per-segment token ids. With fewer than 2^16 distinct tokens
// in a segment pair (always, in practice) an n-gram packs into one 64-bit key; the wide key keeps
// longer segments exact.
using NarrowKey = uint64_t;
using WideKey = std::pair<uint64_t, uint64_t>;

NarrowKey packNarrow(const uint32_t* ids, int n) {
    NarrowKey key = 0;
    for (int i = 0; i < n; ++i) {
        key = (key << 16) | ids[i];
    }
    return key;
}

WideKey packWide(const uint32_t* ids, int n) {
    uint32_t padded[kBleuMaxOrder] = {0, 0, 0, 0};
    std::copy(ids, ids + n, padded);
    return {(uint64_t{padded[0]} << 32) | padded[1], (uint64_t{padded[2]} << 32) | padded[3]};
}

// Reused buffers, so scoring thousands of segments does not allocate per segment.
struct Scratch {
    std::unordered_map<std::string_view, uint32_t> vocabulary;
    std::vector<uint32_t> hypIds, refIds;
    std::vector<NarrowKey> hypNarrow, refNarrow;
    std::vector<WideKey> hypWide, refWide;
};

// Splits a 13a-tokenized string (tokens joined by single spaces) into vocabulary ids.
void toIds(const std::string& tokenized, Scratch& scratch, std::vector<uint32_t>& ids) {
    ids.clear();
    std::size_t start = 0;
    while (start < tokenized.size()) {
        std::size_t end = tokenized.find(' ', start);
        if (end == std::string::npos) {
            end = tokenized.size();
        }
        const std::string_view token(tokenized.data() + start, end - start);
        const auto next = static_cast<uint32_t>(scratch.vocabulary.size() + 1);
        ids.push_back(scratch.vocabulary.try_emplace(token, next).first->second);
        start = end + 1;
    }
}

template <typename Key, typename Pack>
void collectNgrams(const std::vector<uint32_t>& ids, int n, std::vector<Key>& keys, Pack pack) {
    keys.clear();
    for (std::size_t i = 0; i + n <= ids.size(); ++i) {
        keys.push_back(pack(ids.data() + i, n));
    }
    std::sort(keys.begin(), keys.end());
}

// Sum over n-grams of min(hypothesis count, reference count): the size of the multiset
// intersection of the two sorted n-gram lists.
template <typename Key>
int64_t clippedMatches(const std::vector<Key>& hyp, const std::vector<Key>& ref) {
    int64_t matches = 0;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < hyp.size() && j < ref.size()) {
        if (hyp[i] < ref[j]) {
            ++i;
        } else if (ref[j] < hyp[i]) {
            ++j;
        } else {
            ++matches;
            ++i;
            ++j;
        }
    }
    return matches;
}

template <typename Key, typename Pack>
void countOrders(Scratch& scratch, std::vector<Key>& hypKeys, std::vector<Key>& refKeys, Pack pack,
                 BleuStats& stats) {
    for (int n = 1; n <= kBleuMaxOrder; ++n) {
        collectNgrams(scratch.hypIds, n, hypKeys, pack);
        collectNgrams(scratch.refIds, n, refKeys, pack);
        stats.totals[n - 1] = static_cast<int64_t>(hypKeys.size());
        stats.counts[n - 1] = clippedMatches(hypKeys, refKeys);
    }
}

}  // namespace

BleuStats& BleuStats::operator+=(const BleuStats& other) {
    sysLen += other.sysLen;
    refLen += other.refLen;
    for (int n = 0; n < kBleuMaxOrder; ++n) {
        counts[n] += other.counts[n];
        totals[n] += other.totals[n];
    }
    return *this;
}

BleuStats bleuSegmentStats(const std::string& hyp, const std::string& ref) {
    if (ref.empty()) {
        throw std::invalid_argument("BLEU: empty reference segment (sacreBLEU refuses those)");
    }
    thread_local Scratch scratch;
    // The vocabulary holds views into these two strings, so they outlive its use below.
    const std::string hypTokens = tokenize13a(pythonRstrip(hyp));
    const std::string refTokens = tokenize13a(pythonRstrip(ref));
    scratch.vocabulary.clear();
    toIds(hypTokens, scratch, scratch.hypIds);
    toIds(refTokens, scratch, scratch.refIds);

    BleuStats stats;
    stats.sysLen = static_cast<int64_t>(scratch.hypIds.size());
    stats.refLen = static_cast<int64_t>(scratch.refIds.size());
    if (scratch.vocabulary.size() < (1u << 16)) {
        countOrders(
            scratch, scratch.hypNarrow, scratch.refNarrow,
            [](const uint32_t* ids, int n) { return packNarrow(ids, n); }, stats);
    } else {
        countOrders(
            scratch, scratch.hypWide, scratch.refWide,
            [](const uint32_t* ids, int n) { return packWide(ids, n); }, stats);
    }
    return stats;
}

BleuScore bleuFromStats(const BleuStats& stats, bool effectiveOrder) {
    BleuScore result;
    result.counts = stats.counts;
    result.totals = stats.totals;
    result.sysLen = stats.sysLen;
    result.refLen = stats.refLen;
    if (stats.sysLen < stats.refLen) {
        result.bp = stats.sysLen > 0 ? std::exp(1.0 - static_cast<double>(stats.refLen) /
                                                          static_cast<double>(stats.sysLen))
                                     : 0.0;
    } else {
        result.bp = 1.0;
    }
    // sacreBLEU returns 0 outright when nothing matches (its issue #141).
    if (std::all_of(stats.counts.begin(), stats.counts.end(), [](int64_t c) { return c == 0; })) {
        return result;
    }

    // The arithmetic follows sacreBLEU's operation order so the doubles come out identical.
    double smoothMteval = 1.0;
    int order = kBleuMaxOrder;
    for (int n = 1; n <= kBleuMaxOrder; ++n) {
        const auto total = static_cast<double>(stats.totals[n - 1]);
        if (stats.totals[n - 1] == 0) {
            break;
        }
        if (effectiveOrder) {
            order = n;
        }
        if (stats.counts[n - 1] == 0) {
            smoothMteval *= 2.0;
            result.precisions[n - 1] = 100.0 / (smoothMteval * total);
        } else {
            result.precisions[n - 1] = 100.0 * static_cast<double>(stats.counts[n - 1]) / total;
        }
    }
    double logSum = 0.0;
    for (int n = 0; n < order; ++n) {
        const double p = result.precisions[n];
        logSum += p == 0.0 ? kLogZero : std::log(p);
    }
    result.score = result.bp * std::exp(logSum / order);
    return result;
}

BleuScore corpusBleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs) {
    if (hyps.size() != refs.size()) {
        throw std::invalid_argument("BLEU: " + std::to_string(hyps.size()) + " hypotheses but " +
                                    std::to_string(refs.size()) +
                                    " references; they must be aligned one to one");
    }
    BleuStats total;
    for (std::size_t i = 0; i < hyps.size(); ++i) {
        if (refs[i].empty()) {
            throw std::invalid_argument("BLEU: reference " + std::to_string(i + 1) +
                                        " is empty (sacreBLEU refuses empty references)");
        }
        total += bleuSegmentStats(hyps[i], refs[i]);
    }
    return bleuFromStats(total, false);
}

BleuScore sentenceBleu(const std::string& hyp, const std::string& ref) {
    return bleuFromStats(bleuSegmentStats(hyp, ref), true);
}

std::string bleuSignature(bool sentence) {
    return std::string("nrefs:1|case:mixed|eff:") + (sentence ? "yes" : "no") +
           "|tok:13a|smooth:exp|version:2.x-moewb";
}

std::string formatBleu(const BleuScore& score) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld "
                  "ref_len = %lld)",
                  score.score, score.precisions[0], score.precisions[1], score.precisions[2],
                  score.precisions[3], score.bp, score.ratio(),
                  static_cast<long long>(score.sysLen), static_cast<long long>(score.refLen));
    return line;
}

}  // namespace moewb
