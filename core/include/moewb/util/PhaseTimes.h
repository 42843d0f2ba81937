#pragma once
// Wall-clock seconds per phase of a long job, so that a run can say where its time went
// (e.g. a training run: batching, forward, backward, optimizer, validation, checkpoints).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace moewb {

class PhaseTimes {
public:
    // Adds the time from its construction to its destruction to one phase.
    class Scope {
    public:
        Scope(PhaseTimes& times, const char* phase)
            : m_times(times), m_phase(phase), m_start(std::chrono::steady_clock::now()) {}
        ~Scope() {
            m_times.add(
                m_phase,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count());
        }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        PhaseTimes& m_times;
        const char* m_phase;
        std::chrono::steady_clock::time_point m_start;
    };

    Scope measure(const char* phase) { return Scope(*this, phase); }
    void add(const std::string& phase, double seconds);
    // Phases in the order they first occurred, with their summed seconds.
    const std::vector<std::pair<std::string, double>>& phases() const { return m_phases; }
    double seconds(const std::string& phase) const;
    double total() const;
    // "forward 12.3 s (41 %), backward …", largest first.
    std::string summary() const;

private:
    std::vector<std::pair<std::string, double>> m_phases;
};

}  // namespace moewb
