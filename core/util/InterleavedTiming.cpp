#include "moewb/util/InterleavedTiming.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace moewb {

double medianOf(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::vector<double> perRoundRatios(const std::vector<double>& numerators,
                                   const std::vector<double>& denominators) {
    std::vector<double> ratios;
    const std::size_t n = std::min(numerators.size(), denominators.size());
    for (std::size_t r = 0; r < n; ++r) {
        ratios.push_back(denominators[r] > 0 ? numerators[r] / denominators[r]
                                             : std::numeric_limits<double>::infinity());
    }
    return ratios;
}

TimingRatio ratioStatistics(const std::vector<double>& ratios) {
    TimingRatio out;
    if (ratios.empty()) {
        return out;
    }
    const auto [low, high] = std::minmax_element(ratios.begin(), ratios.end());
    out.median = medianOf(ratios);
    out.low = *low;
    out.high = *high;
    out.spread = std::max(out.median - out.low, out.high - out.median);
    return out;
}

TimingRatio TimingRatio::scaled(double factor) const {
    return {median * factor, spread * std::abs(factor), std::min(low * factor, high * factor),
            std::max(low * factor, high * factor)};
}

std::string TimingRatio::text(int decimals) const {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "\u00d7%.*f \u00b1 %.*f", decimals, median, decimals,
                  spread);
    return buffer;
}

TimedVariant wallClockTimed(std::function<void()> work) {
    return [work = std::move(work)] {
        const auto start = std::chrono::steady_clock::now();
        work();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
}

namespace {

// The quantities the stability rule watches: each speed-up's median, or the median time of a
// lone variant. `rounds` limits them to the first rounds.
std::vector<double> watchedMedians(const std::vector<std::vector<double>>& seconds,
                                   std::size_t rounds) {
    auto first = [&](std::size_t v) {
        return std::vector<double>(seconds[v].begin(), seconds[v].begin() + rounds);
    };
    if (seconds.size() == 1) {
        return {medianOf(first(0))};
    }
    std::vector<double> medians;
    for (std::size_t v = 1; v < seconds.size(); ++v) {
        medians.push_back(medianOf(perRoundRatios(first(0), first(v))));
    }
    return medians;
}

bool stable(const std::vector<std::vector<double>>& seconds, std::size_t rounds, double change) {
    const auto before = watchedMedians(seconds, rounds - 1);
    const auto now = watchedMedians(seconds, rounds);
    for (std::size_t i = 0; i < now.size(); ++i) {
        if (!(std::abs(now[i] - before[i]) < change * std::abs(before[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

InterleavedTiming timeInterleaved(const std::vector<TimedVariant>& variants,
                                  const InterleavedTimingOptions& options, Feedback& feedback) {
    if (variants.empty()) {
        throw std::invalid_argument("interleaved timing needs at least one variant");
    }
    if (options.maxRounds < 1) {
        throw std::invalid_argument("interleaved timing needs at least one round (maxRounds)");
    }
    if (options.warmUp) {
        for (const auto& variant : variants) {
            feedback.throwIfCancelled();
            variant();
        }
    }
    InterleavedTiming out;
    out.seconds.resize(variants.size());
    double spent = 0.0;
    for (int round = 1;; ++round) {
        double roundSeconds = 0.0;
        for (std::size_t v = 0; v < variants.size(); ++v) {
            feedback.throwIfCancelled();
            const double seconds = variants[v]();
            out.seconds[v].push_back(seconds);
            roundSeconds += seconds;
            // Against the most rounds it may take: a stable early stop jumps to the end.
            feedback.setProgress(double((round - 1) * variants.size() + v + 1) /
                                 double(std::size_t(options.maxRounds) * variants.size()));
        }
        spent += roundSeconds;
        out.rounds = round;
        if (round >= options.maxRounds) {
            out.stop = InterleavedTiming::Stop::MaxRounds;
            break;
        }
        if (round >= std::max(2, options.minRounds) &&
            stable(out.seconds, static_cast<std::size_t>(round), options.stableChange)) {
            out.stop = InterleavedTiming::Stop::Stable;
            break;
        }
        // The next round costs about what this one did: do not start one that would overrun.
        if (options.timeBudget > 0 && spent + roundSeconds > options.timeBudget) {
            out.stop = InterleavedTiming::Stop::Budget;
            break;
        }
    }
    for (std::size_t v = 0; v < variants.size(); ++v) {
        out.medianSeconds.push_back(medianOf(out.seconds[v]));
        out.speedups.push_back(ratioStatistics(perRoundRatios(out.seconds[0], out.seconds[v])));
    }
    return out;
}

}  // namespace moewb
