#include "JobStatusWidget.h"

#include "JobRunner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

namespace moewb::gui {

namespace {
constexpr int kProgressSteps = 1000;
}

JobStatusWidget::JobStatusWidget(JobRunner* jobs, QWidget* parent) : QWidget(parent), m_jobs(jobs) {
    m_label = new QLabel(this);
    m_label->setObjectName(QStringLiteral("jobLabel"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("jobProgress"));
    m_progress->setMaximumWidth(240);
    m_progress->setToolTip(tr("Progress of the running job"));
    m_cancel = new QToolButton(this);
    m_cancel->setObjectName(QStringLiteral("jobCancel"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->setToolTip(
        tr("Stop the running job (Esc); the results shown so far stay as they are"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);

    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_running.isEmpty()) {
            return;
        }
        const int id = m_running.lastKey();
        m_jobs->cancel(id);
        m_running[id].cancelling = true;
        showCurrent();
    });
    connect(jobs, &JobRunner::started, this, &JobStatusWidget::onStarted);
    connect(jobs, &JobRunner::progress, this, &JobStatusWidget::onProgress);
    connect(jobs, &JobRunner::succeeded, this,
            [this](int id) { onEnded(id, tr("“%1” finished").arg(m_running.value(id).title)); });
    connect(jobs, &JobRunner::cancelled, this,
            [this](int id) { onEnded(id, tr("“%1” cancelled").arg(m_running.value(id).title)); });
    connect(jobs, &JobRunner::failed, this, [this](int id, const QString& message) {
        onEnded(id, tr("“%1” failed: %2").arg(m_running.value(id).title, message));
    });
    showCurrent();
}

QString JobStatusWidget::text() const {
    return m_label->text();
}

QString JobStatusWidget::etaText(double fraction, double elapsedSeconds) {
    if (fraction < 0.05 || fraction >= 1.0 || elapsedSeconds < 2.0) {
        return {};
    }
    const double left = elapsedSeconds * (1.0 - fraction) / fraction;
    if (left < 60) {
        return tr("about %1 s left").arg(qMax(1, qRound(left)));
    }
    return tr("about %1 min left").arg(qRound(left / 60.0));
}

void JobStatusWidget::onStarted(int id, const QString& title) {
    RunningJob job;
    job.title = title;
    job.clock.start();
    m_running.insert(id, job);
    showCurrent();
}

void JobStatusWidget::onProgress(int id, double fraction, const QString& message) {
    const auto it = m_running.find(id);
    if (it == m_running.end()) {
        return;
    }
    it->fraction = fraction;
    if (!message.isEmpty()) {  // empty means "unchanged"
        it->message = message;
    }
    if (id == m_running.lastKey()) {
        showCurrent();
    }
}

void JobStatusWidget::onEnded(int id, const QString& outcome) {
    m_running.remove(id);
    Q_EMIT jobEnded(outcome);
    showCurrent();
}

void JobStatusWidget::showCurrent() {
    const bool busy = !m_running.isEmpty();
    m_label->setVisible(busy);
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (!busy) {
        return;
    }
    const RunningJob& job = m_running.last();
    QString message = job.cancelling ? tr("cancelling…") : job.message;
    const QString eta = etaText(job.fraction, job.clock.elapsed() / 1000.0);
    if (!eta.isEmpty() && !job.cancelling) {
        message = message.isEmpty() ? eta : tr("%1 (%2)").arg(message, eta);
    }
    m_label->setText(message.isEmpty() ? job.title : tr("%1: %2").arg(job.title, message));
    m_cancel->setEnabled(!job.cancelling);
    if (job.fraction <= 0.0) {
        m_progress->setRange(0, 0);  // no fraction yet: a busy indicator, not a stuck 0 %
    } else {
        m_progress->setRange(0, kProgressSteps);
        m_progress->setValue(static_cast<int>(job.fraction * kProgressSteps));
    }
}

}  // namespace moewb::gui
