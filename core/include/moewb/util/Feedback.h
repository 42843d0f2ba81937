#pragma once
// Progress reporting and cancellation for long operations (after QGIS's QgsFeedback).
// Every long core operation takes a Feedback&: it reports a fraction in [0, 1] plus a message,
// and checks isCancelled()/throwIfCancelled() inside its loops.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>

namespace moewb {

// Thrown by Feedback::throwIfCancelled(); callers treat it as "stopped on request", not a failure.
class OperationCancelled : public std::runtime_error {
public:
    OperationCancelled() : std::runtime_error("operation cancelled by the user") {}
};

class Feedback {
public:
    Feedback() = default;
    virtual ~Feedback() = default;
    Feedback(const Feedback&) = delete;
    Feedback& operator=(const Feedback&) = delete;

    // Reports progress. Calls onProgress() at most every throttle interval (default 100 ms),
    // except that 0, 1 and a changed message always go through.
    void setProgress(double fraction, const std::string& message = {});
    double progress() const { return m_progress.load(); }

    // Thread-safe: may be called from any thread (the GUI's Cancel button).
    virtual void cancel() { m_cancelled.store(true); }
    virtual bool isCancelled() const { return m_cancelled.load(); }
    void throwIfCancelled() const;

    void setThrottle(std::chrono::milliseconds interval) { m_throttle = interval; }

protected:
    // Called (throttled) on the thread of the operation.
    virtual void onProgress(double /*fraction*/, const std::string& /*message*/) {}

private:
    std::atomic<bool> m_cancelled{false};
    std::atomic<double> m_progress{0.0};
    std::mutex m_mutex;
    std::string m_lastMessage;
    std::chrono::steady_clock::time_point m_lastReport{};
    std::chrono::milliseconds m_throttle{100};
};

// A Feedback that forwards throttled progress to a callback (used by the GUI's job runner and the
// CLI's console printer).
class CallbackFeedback : public Feedback {
public:
    using Callback = std::function<void(double fraction, const std::string& message)>;
    explicit CallbackFeedback(Callback callback) : m_callback(std::move(callback)) {}

protected:
    void onProgress(double fraction, const std::string& message) override;

private:
    Callback m_callback;
};

// Maps a sub-step's [0, 1] onto [begin, end] of a parent and shares the parent's cancel flag,
// so a pipeline of steps shows one continuous progress bar.
class SubFeedback : public Feedback {
public:
    SubFeedback(Feedback& parent, double begin, double end)
        : m_parent(parent), m_begin(begin), m_end(end) {
        setThrottle(std::chrono::milliseconds(0));
    }
    void cancel() override { m_parent.cancel(); }
    bool isCancelled() const override { return m_parent.isCancelled(); }

protected:
    void onProgress(double fraction, const std::string& message) override {
        m_parent.setProgress(m_begin + (m_end - m_begin) * fraction, message);
    }

private:
    Feedback& m_parent;
    double m_begin;
    double m_end;
};

}  // namespace moewb
