// JobStatusWidget: follows a real JobRunner job (title, progress, ETA, Cancel) and hides when idle.
#include "JobRunner.h"
#include "JobStatusWidget.h"

#include "moewb/util/Feedback.h"

#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include <atomic>
#include <chrono>
#include <thread>

using namespace moewb::gui;

class TestJobStatusWidget : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void etaNeedsEnoughProgressAndTime() {
        QVERIFY(JobStatusWidget::etaText(0.01, 30).isEmpty());  // too early to say
        QVERIFY(JobStatusWidget::etaText(0.5, 1).isEmpty());
        QCOMPARE(JobStatusWidget::etaText(0.5, 10), QStringLiteral("about 10 s left"));
        QCOMPARE(JobStatusWidget::etaText(0.25, 60), QStringLiteral("about 3 min left"));
        QVERIFY(JobStatusWidget::etaText(1.0, 60).isEmpty());
    }

    void followsAJobAndCancelsIt() {
        JobRunner jobs;
        JobStatusWidget status(&jobs);
        status.show();
        QVERIFY(!status.progressBar()->isVisible());
        std::atomic<bool> running{false};
        QSignalSpy ended(&status, &JobStatusWidget::jobEnded);
        jobs.start(QStringLiteral("Counting"), [&running](moewb::Feedback& feedback) {
            feedback.setThrottle(std::chrono::milliseconds(0));
            feedback.setProgress(0.5, "half way");
            running = true;
            for (;;) {
                feedback.throwIfCancelled();
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        QTRY_VERIFY(running.load());
        QTRY_COMPARE(status.text(), QStringLiteral("Counting: half way"));
        QVERIFY(status.progressBar()->isVisible());
        QCOMPARE(status.progressBar()->value(), 500);
        QVERIFY(status.cancelButton()->isEnabled());
        status.cancelButton()->click();
        QVERIFY(ended.wait(5000));
        QCOMPARE(ended.front().at(0).toString(), QStringLiteral("“Counting” cancelled"));
        QVERIFY(!status.progressBar()->isVisible());
    }
};

QTEST_MAIN(TestJobStatusWidget)
#include "test_JobStatusWidget.moc"
