#include "NewestJob.h"

#include <utility>

void NewestJob::start(const QString& title, JobRunner::Work work, std::function<void()> onSucceeded,
                      std::function<void(const QString& message)> onFailed) {
    cancel();
    const int generation = m_generation;
    m_id = m_jobs->start(
        title, std::move(work), m_context,
        [this, generation, onSucceeded = std::move(onSucceeded), onFailed = std::move(onFailed)](
            JobRunner::Outcome outcome, const QString& message) {
            if (generation != m_generation) {
                return;  // overtaken by a newer request
            }
            m_id = 0;
            if (outcome == JobRunner::Outcome::Succeeded) {
                onSucceeded();
            } else if (outcome == JobRunner::Outcome::Failed) {
                onFailed(message);
            }
        });
}

void NewestJob::cancel() {
    ++m_generation;
    if (m_id != 0) {
        m_jobs->cancel(m_id);
        m_id = 0;
    }
}
