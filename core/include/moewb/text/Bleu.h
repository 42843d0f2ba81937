#pragma once
// BLEU exactly as sacreBLEU 2.x computes it with its defaults (one reference, mixed case, 13a
// tokenizer, exp smoothing), so scores are comparable with published sacreBLEU figures.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace moewb {

constexpr int kBleuMaxOrder = 4;

struct BleuScore {
    double score = 0.0;                              // 0-100
    std::array<int64_t, kBleuMaxOrder> counts{};     // clipped n-gram matches, n = 1..4
    std::array<int64_t, kBleuMaxOrder> totals{};     // hypothesis n-grams, n = 1..4
    double bp = 0.0;                                 // brevity penalty
    int64_t sysLen = 0;                              // hypothesis tokens
    int64_t refLen = 0;                              // reference tokens
    std::array<double, kBleuMaxOrder> precisions{};  // 0-100, smoothed

    // sysLen / refLen, or 0 without reference tokens (as sacreBLEU reports it).
    double ratio() const {
        return refLen > 0 ? static_cast<double>(sysLen) / static_cast<double>(refLen) : 0.0;
    }
};

// The sufficient statistics of one or more segments; they add up over a corpus, so a sweep can
// tokenize each segment once and derive both sentence and corpus scores from them.
struct BleuStats {
    int64_t sysLen = 0;
    int64_t refLen = 0;
    std::array<int64_t, kBleuMaxOrder> counts{};
    std::array<int64_t, kBleuMaxOrder> totals{};

    BleuStats& operator+=(const BleuStats& other);
};

// Tokenizes both segments (rstrip, then 13a) and counts clipped n-gram matches. Throws
// std::invalid_argument for an empty reference, which sacreBLEU refuses too.
BleuStats bleuSegmentStats(const std::string& hyp, const std::string& ref);

// sacreBLEU's compute_bleu() with exp smoothing; `effectiveOrder` averages only over the orders
// the hypothesis has n-grams for (sentence BLEU).
BleuScore bleuFromStats(const BleuStats& stats, bool effectiveOrder);

// sacreBLEU corpus_bleu(hyps, [refs]). Throws std::invalid_argument if the sizes differ or a
// reference is empty.
BleuScore corpusBleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs);

// sacreBLEU sentence_bleu(hyp, [ref]): exp smoothing with effective order.
BleuScore sentenceBleu(const std::string& hyp, const std::string& ref);

// "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x-moewb" (eff:yes for sentence BLEU).
std::string bleuSignature(bool sentence = false);

// sacreBLEU's summary line, e.g.
// "BLEU = 61.69 84.7/64.4/56.2/51.0 (BP = 0.981 ratio = 0.981 hyp_len = 3609 ref_len = 3678)".
std::string formatBleu(const BleuScore& score);

}  // namespace moewb
