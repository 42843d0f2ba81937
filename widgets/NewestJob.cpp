#include "NewestJob.h"

#include <utility>

namespace moewb::gui {

void NewestJob::start(const QString& title, JobRunner::Work work, JobRunner::EndHandler onEnd) {
    cancel();
    const int generation = m_generation;
    m_id = m_jobs->start(title, std::move(work), m_context,
                         [this, generation, onEnd = std::move(onEnd)](JobRunner::Outcome outcome,
                                                                      const QString& message) {
                             if (generation != m_generation) {
                                 return;  // overtaken by a newer request
                             }
                             m_id = 0;
                             onEnd(outcome, message);
                         });
}

void NewestJob::cancel() {
    ++m_generation;
    if (m_id != 0) {
        m_jobs->cancel(m_id);
        m_id = 0;
    }
}

}  // namespace moewb::gui
