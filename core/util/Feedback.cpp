#include "moewb/util/Feedback.h"

#include <algorithm>

namespace moewb {

void Feedback::setProgress(double fraction, const std::string& message) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    m_progress.store(fraction);
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const bool edge = fraction <= 0.0 || fraction >= 1.0;
        const bool newMessage = !message.empty() && message != m_lastMessage;
        if (!edge && !newMessage && now - m_lastReport < m_throttle) {
            return;
        }
        m_lastReport = now;
        if (!message.empty()) {
            m_lastMessage = message;
        }
    }
    onProgress(fraction, message);
}

void Feedback::throwIfCancelled() const {
    if (isCancelled()) {
        throw OperationCancelled();
    }
}

void CallbackFeedback::onProgress(double fraction, const std::string& message) {
    if (m_callback) {
        m_callback(fraction, message);
    }
}

}  // namespace moewb
