#pragma once
// Timing a user can trust on a shared machine (docs/algorithms.md, "Measuring speed"): two or more
// variants (dense, MoE at some K, …) run in alternating rounds A B A B … after one untimed warm-up
// each, until the median speed-up is stable or a round or time budget ends. The result gives each
// variant's median seconds and, for each variant against the first, the median of the per-round
// speed-ups with their spread.
//
// Why per-round ratios: the VMs here drift by up to 1.6× within seconds. A drift hits both runs of
// one round alike and cancels in their ratio; a ratio of two separately taken times keeps it.
//
// The spread, written "±" everywhere: the largest distance from the median to any round's ratio,
// so median ± spread covers every round (min … max). With the handful of rounds affordable here,
// quartiles would claim a precision the data does not have. K = N against dense must read 1.00×
// within it.

#include "moewb/util/Feedback.h"

#include <functional>
#include <string>
#include <vector>

namespace moewb {

struct InterleavedTimingOptions {
    int minRounds = 3;           // timed rounds before the stability rule may stop (default 3)
    int maxRounds = 5;           // timed rounds at most (default 5)
    double stableChange = 0.02;  // stable: every median moved less than this in a round (0.02)
    double timeBudget = 0;       // timed seconds no new round may push past (default 0: none)
    bool warmUp = true;          // one untimed run of each variant before the rounds (default true)
};

// Per-round ratios of the first variant's time to another's: how many times faster it ran.
struct TimingRatio {
    double median = 1;  // median over the rounds
    double spread = 0;  // "±": the largest distance from the median to any round's ratio
    double low = 1;     // smallest round's ratio
    double high = 1;    // largest round's ratio

    // The same ratio multiplied by `factor` (e.g. per target token: × MoE tokens / dense tokens,
    // exact since the outputs, and so the token counts, are the same in every round).
    TimingRatio scaled(double factor) const;
    // "×1.31 ± 0.04" (UTF-8), with `decimals` digits after the point.
    std::string text(int decimals = 2) const;
};

struct InterleavedTiming {
    enum class Stop { Stable, MaxRounds, Budget };
    std::vector<std::vector<double>> seconds;  // [variant][round], as the variants reported them
    std::vector<double> medianSeconds;         // per variant
    std::vector<TimingRatio> speedups;         // per variant against the first; [0] is 1 ± 0
    int rounds = 0;                            // timed rounds run
    Stop stop = Stop::MaxRounds;               // why the rounds ended
};

// A variant runs its work once and returns the seconds to count (e.g. Translator's own time,
// which leaves set-up out); wallClockTimed() wraps work that does not time itself.
using TimedVariant = std::function<double()>;

// Runs the variants as described above: warm-up v0 v1 … (when options.warmUp), then rounds
// v0 v1 … vN-1, at least one. After round r it stops when r = maxRounds; when r ≥ minRounds (and
// r ≥ 2) and every speed-up's median (the median time, for a single variant) moved less than
// stableChange relative to its value before round r; or when timeBudget > 0 and the seconds of the
// timed rounds so far plus those of round r would pass the budget. The budget may end the rounds
// before minRounds; warm-ups do not count against it. The last `rounds` calls of each variant are
// the timed ones, in round order, so a variant can keep side results (FFN time, the output) per
// round. Checks feedback.throwIfCancelled() before every call. Throws std::invalid_argument
// without variants or with maxRounds < 1.
InterleavedTiming timeInterleaved(const std::vector<TimedVariant>& variants,
                                  const InterleavedTimingOptions& options, Feedback& feedback);

// A variant that times `work` by the steady clock.
TimedVariant wallClockTimed(std::function<void()> work);

// The statistics behind the result, for callers that keep per-round side measurements.
double medianOf(std::vector<double> values);  // mean of the middle two for an even count; 0 empty
// numerators[r] / denominators[r] per round (a non-positive denominator gives +inf).
std::vector<double> perRoundRatios(const std::vector<double>& numerators,
                                   const std::vector<double>& denominators);
TimingRatio ratioStatistics(const std::vector<double>& ratios);  // 1 ± 0 for none

}  // namespace moewb
