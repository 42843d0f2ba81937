#pragma once
// A view's background preparation in which only the newest request counts (the layer or
// partition the user chose last, the sentence and K typed last): starting one cancels the one
// before, and a job that was overtaken never reaches the view. Used by the heatmap, the expert
// graph and the live translator.

#include "JobRunner.h"

namespace moewb::gui {

class NewestJob {
public:
    // `context` is the view: its handlers run only while it exists.
    explicit NewestJob(QObject* context) : m_context(context) {}

    // Null (the default) means the caller prepares on its own thread; the runner must outlive
    // this object.
    void setRunner(JobRunner* jobs) { m_jobs = jobs; }
    JobRunner* runner() const { return m_jobs; }
    bool isRunning() const { return m_id != 0; }

    // Cancels the job before, then queues `work` on the runner. `onEnd` runs once on the GUI
    // thread when the job ends (succeeded, failed, or cancelled from elsewhere, such as the status
    // bar), unless start() or cancel() was called since.
    void start(const QString& title, JobRunner::Work work, JobRunner::EndHandler onEnd);
    // Drops the running job, if any: its handlers will not run.
    void cancel();

private:
    QObject* m_context;
    JobRunner* m_jobs = nullptr;
    int m_id = 0;          // the running job, 0 when none
    int m_generation = 0;  // bumped by every start() and cancel(): older jobs are dropped
};

}  // namespace moewb::gui
