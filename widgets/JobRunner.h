#pragma once
// Runs long core operations off the GUI thread. The only class in the GUI that touches threads.
//
// Usage: the work lambda runs on a pool thread and receives a moewb::Feedback for progress and
// cancellation. It hands its result back through a shared_ptr it captured; the caller reads that
// pointer when succeeded(id) arrives, so a cancelled or failed job never overwrites the result the
// view already shows:
//
//     auto result = std::make_shared<Result>();
//     runner->start(tr("Profiling"), [result, options](moewb::Feedback& feedback) {
//         *result = compute(options, feedback);  // any core operation
//     }, this, [=](JobRunner::Outcome outcome, const QString& message) {
//         if (outcome == JobRunner::Outcome::Succeeded) show(*result);
//     });
//
// The end handler is the one way a caller learns how its job ended; the signals below are for
// observers of every job (the status bar). Handlers and signals run on the thread that owns the
// JobRunner (the GUI thread), so receivers never need locks. The work must not touch widgets.

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <map>
#include <memory>

namespace moewb {
class Feedback;
}

namespace moewb::gui {

class JobRunner : public QObject {
    Q_OBJECT

public:
    using Work = std::function<void(moewb::Feedback&)>;
    enum class Outcome { Succeeded, Failed, Cancelled };
    // How the job ended; `message` is the one-line error of a failed job, else empty.
    using EndHandler = std::function<void(Outcome outcome, const QString& message)>;

    explicit JobRunner(QObject* parent = nullptr);
    // Cancels every job and waits for the workers to return.
    ~JobRunner() override;

    // Queues the work and returns its id (> 0, never reused by this runner). `onEnd` runs once
    // when the job ends, before the signals, unless `context` was destroyed by then.
    int start(const QString& title, Work work, QObject* context = nullptr, EndHandler onEnd = {});

    // Sets the job's cancel flag; the work notices at its next Feedback check and the job ends with
    // cancelled(id). Unknown or finished ids are ignored.
    void cancel(int id);
    void cancelAll();

    bool isBusy() const { return !m_jobs.empty(); }
    int activeJobCount() const { return static_cast<int>(m_jobs.size()); }
    // The title given to start(), or an empty string once the job has ended.
    QString title(int id) const;

    // Blocks until every worker has returned (tests and shutdown); queued signals are delivered
    // afterwards by the event loop.
    bool waitForDone(int msecs = -1);

Q_SIGNALS:
    void started(int id, const QString& title);
    // Throttled by the Feedback (about 10 per second); an empty message means "unchanged".
    void progress(int id, double fraction, const QString& message);
    void succeeded(int id);
    void failed(int id, const QString& message);
    void cancelled(int id);
    // Emitted when the first job starts and when the last one ends.
    void busyChanged(bool busy);

private:
    struct Job;

    void finish(int id, Outcome outcome, const QString& message);

    QThreadPool m_pool;
    // Touched only on the owner's thread; workers hold their own shared_ptr to the Job.
    std::map<int, std::shared_ptr<Job>> m_jobs;
    int m_nextId = 1;
};

}  // namespace moewb::gui
