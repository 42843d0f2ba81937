#pragma once
// Timing helpers shared by the micro-benchmarks: a call repeated for a time slice, and the median
// with the lowest and highest value of a set of rounds (the benchmarks alternate their variants
// round by round, so machine drift hits all of them alike).

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace moewb::bench {

// Repeats `work` until `sliceMs` have passed; returns ms per call.
inline double timeIt(const std::function<void()>& work, double sliceMs) {
    int calls = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        work();
        ++calls;
        elapsed =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
    } while (elapsed < sliceMs);
    return elapsed / calls;
}

struct Spread {
    double median = 0, low = 0, high = 0;
};

inline Spread spread(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    const double mid = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    return {mid, values.front(), values.back()};
}

}  // namespace moewb::bench
