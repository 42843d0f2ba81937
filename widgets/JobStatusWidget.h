#pragma once
// The status-bar part that follows the running jobs: title, message, progress with an ETA, and a
// Cancel button for the newest job. Only listens to the JobRunner.

#include <QElapsedTimer>
#include <QMap>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace moewb::gui {

class JobRunner;

class JobStatusWidget : public QWidget {
    Q_OBJECT

public:
    explicit JobStatusWidget(JobRunner* jobs, QWidget* parent = nullptr);

    QString text() const;
    QProgressBar* progressBar() const { return m_progress; }
    QToolButton* cancelButton() const { return m_cancel; }
    // "about 2 min left" from the elapsed time and the fraction done; empty until it means
    // something (5 % done and 2 s elapsed).
    static QString etaText(double fraction, double elapsedSeconds);

Q_SIGNALS:
    // A job ended; `outcome` is a sentence for the status bar ("Profiling finished").
    void jobEnded(const QString& outcome);

private:
    void onStarted(int id, const QString& title);
    void onProgress(int id, double fraction, const QString& message);
    void onEnded(int id, const QString& outcome);
    void showCurrent();

    struct RunningJob {
        QString title;
        double fraction = 0.0;
        QString message;
        bool cancelling = false;
        QElapsedTimer clock;
    };

    JobRunner* m_jobs;
    QLabel* m_label = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    // Running jobs by id; the widget follows the newest one.
    QMap<int, RunningJob> m_running;
};

}  // namespace moewb::gui
