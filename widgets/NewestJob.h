#pragma once
// A view's background preparation in which only the newest request counts (the layer or
// partition the user chose last): starting one cancels the one before, and a job that was
// overtaken or cancelled never reaches the view. Used by the heatmap and the expert graph.

#include "JobRunner.h"

#include <functional>

class NewestJob {
public:
    // `context` is the view: its handlers run only while it exists.
    explicit NewestJob(QObject* context) : m_context(context) {}

    // Null (the default) means the caller prepares on its own thread; the runner must outlive
    // this object.
    void setRunner(JobRunner* jobs) { m_jobs = jobs; }
    JobRunner* runner() const { return m_jobs; }
    bool isRunning() const { return m_id != 0; }

    // Cancels the job before, then queues `work` on the runner. Exactly one of the handlers runs
    // on the GUI thread when the job ends, unless start() or cancel() was called since.
    void start(const QString& title, JobRunner::Work work, std::function<void()> onSucceeded,
               std::function<void(const QString& message)> onFailed);
    // Drops the running job, if any: its handlers will not run.
    void cancel();

private:
    QObject* m_context;
    JobRunner* m_jobs = nullptr;
    int m_id = 0;          // the running job, 0 when none
    int m_generation = 0;  // bumped by every start() and cancel(): older jobs are dropped
};
