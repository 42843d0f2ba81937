#include "JobRunner.h"

#include "moewb/util/ErrorText.h"
#include "moewb/util/Feedback.h"

#include <QMetaObject>
#include <QPointer>
#include <QThread>

#include <algorithm>
#include <exception>
#include <new>
#include <utility>

namespace moewb::gui {

struct JobRunner::Job {
    Job(QString jobTitle, moewb::CallbackFeedback::Callback callback)
        : title(std::move(jobTitle)), feedback(std::move(callback)) {}

    QString title;
    moewb::CallbackFeedback feedback;
    // Touched only on the owner's thread.
    EndHandler onEnd;
    QPointer<QObject> context;
    bool hasContext = false;
};

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
    // At least two workers, so a quick job (a live translation) is not stuck behind a long one
    // (training); LibTorch's own intra-op threads do the heavy lifting inside each job.
    m_pool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
}

JobRunner::~JobRunner() {
    cancelAll();
    m_pool.waitForDone();
    // Results still queued to this object are dropped with it: nobody is left to receive them.
}

int JobRunner::start(const QString& title, Work work, QObject* context, EndHandler onEnd) {
    const int id = m_nextId++;
    // The callback runs on the worker; it only queues a call, the signal leaves the GUI thread.
    auto job = std::make_shared<Job>(title, [this, id](double fraction, const std::string& text) {
        const QString message = QString::fromStdString(text);
        QMetaObject::invokeMethod(
            this,
            [this, id, fraction, message] {
                if (m_jobs.count(id) != 0) {
                    Q_EMIT progress(id, fraction, message);
                }
            },
            Qt::QueuedConnection);
    });
    job->onEnd = std::move(onEnd);
    job->context = context;
    job->hasContext = context != nullptr;
    const bool wasIdle = m_jobs.empty();
    m_jobs.emplace(id, job);

    m_pool.start([this, id, job, work = std::move(work)] {
        Outcome outcome = Outcome::Succeeded;
        QString message;
        try {
            // Cancelled while still queued: do not start at all.
            job->feedback.throwIfCancelled();
            work(job->feedback);
        } catch (const moewb::OperationCancelled&) {
            outcome = Outcome::Cancelled;
        } catch (const std::bad_alloc&) {
            outcome = Outcome::Failed;
            message = tr("%1: out of memory").arg(job->title);
        } catch (const std::exception& e) {
            // One line, never a LibTorch backtrace; a LibTorch error names the job it ended.
            outcome = Outcome::Failed;
            message = QString::fromStdString(moewb::errorText(e));
            if (moewb::isTorchError(e)) {
                message = tr("%1: LibTorch error: %2").arg(job->title, message);
            }
        } catch (...) {
            outcome = Outcome::Failed;
            message = tr("Unknown error");
        }
        QMetaObject::invokeMethod(
            this, [this, id, outcome, message] { finish(id, outcome, message); },
            Qt::QueuedConnection);
    });

    Q_EMIT started(id, title);
    if (wasIdle) {
        Q_EMIT busyChanged(true);
    }
    return id;
}

void JobRunner::cancel(int id) {
    const auto it = m_jobs.find(id);
    if (it != m_jobs.end()) {
        it->second->feedback.cancel();
    }
}

void JobRunner::cancelAll() {
    for (auto& [id, job] : m_jobs) {
        job->feedback.cancel();
    }
}

QString JobRunner::title(int id) const {
    const auto it = m_jobs.find(id);
    return it == m_jobs.end() ? QString() : it->second->title;
}

bool JobRunner::waitForDone(int msecs) {
    return m_pool.waitForDone(msecs);
}

void JobRunner::finish(int id, Outcome outcome, const QString& message) {
    // Erase first, so isBusy() and title() are already up to date inside the receivers.
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end()) {
        return;
    }
    const std::shared_ptr<Job> job = it->second;
    m_jobs.erase(it);
    if (job->onEnd && (!job->hasContext || job->context)) {
        job->onEnd(outcome, message);
    }
    switch (outcome) {
        case Outcome::Succeeded:
            Q_EMIT succeeded(id);
            break;
        case Outcome::Failed:
            Q_EMIT failed(id, message);
            break;
        case Outcome::Cancelled:
            Q_EMIT cancelled(id);
            break;
    }
    if (m_jobs.empty()) {
        Q_EMIT busyChanged(false);
    }
}

}  // namespace moewb::gui
