#include "moewb/util/PhaseTimes.h"

#include <algorithm>
#include <cstdio>

namespace moewb {

void PhaseTimes::add(const std::string& phase, double seconds) {
    for (auto& entry : m_phases) {
        if (entry.first == phase) {
            entry.second += seconds;
            return;
        }
    }
    m_phases.emplace_back(phase, seconds);
}

double PhaseTimes::seconds(const std::string& phase) const {
    for (const auto& entry : m_phases) {
        if (entry.first == phase) {
            return entry.second;
        }
    }
    return 0.0;
}

double PhaseTimes::total() const {
    double sum = 0;
    for (const auto& entry : m_phases) {
        sum += entry.second;
    }
    return sum;
}

std::string PhaseTimes::summary() const {
    auto sorted = m_phases;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    const double all = std::max(total(), 1e-12);
    std::string out;
    char buffer[160];
    for (const auto& [phase, seconds] : sorted) {
        std::snprintf(buffer, sizeof buffer, "%s%s %.1f s (%.0f %%)", out.empty() ? "" : ", ",
                      phase.c_str(), seconds, 100.0 * seconds / all);
        out += buffer;
    }
    return out;
}

}  // namespace moewb
