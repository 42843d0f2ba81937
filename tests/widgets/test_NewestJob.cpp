// NewestJob: a newer start() or a cancel() drops the job before it, so only the newest request's
// handler runs, once, however the job ends.
#include "NewestJob.h"

#include "moewb/util/Feedback.h"

#include <QObject>
#include <QTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace moewb::gui;

namespace {

// Work that waits until released (or cancelled), then records its value.
JobRunner::Work waitThenRecord(std::shared_ptr<std::atomic<bool>> release, int value,
                               std::shared_ptr<std::atomic<int>> recorded) {
    return [=](moewb::Feedback& feedback) {
        while (!release->load()) {
            feedback.throwIfCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        recorded->store(value);
    };
}

}  // namespace

class TestNewestJob : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void onlyTheNewestRequestIsHandled() {
        JobRunner jobs;
        QObject view;
        NewestJob job(&view);
        job.setRunner(&jobs);
        QCOMPARE(job.runner(), &jobs);
        auto release = std::make_shared<std::atomic<bool>>(false);
        auto recorded = std::make_shared<std::atomic<int>>(0);
        std::vector<int> succeeded;
        int failures = 0;
        for (int value : {1, 2, 3}) {
            job.start(QStringLiteral("request %1").arg(value),
                      waitThenRecord(release, value, recorded),
                      [&, value](JobRunner::Outcome outcome, const QString&) {
                          if (outcome == JobRunner::Outcome::Succeeded) {
                              succeeded.push_back(value);
                          } else {
                              ++failures;
                          }
                      });
            QVERIFY(job.isRunning());
        }
        release->store(true);
        QTRY_VERIFY(!job.isRunning());
        QVERIFY(jobs.waitForDone(5000));
        QCoreApplication::processEvents();
        QCOMPARE(succeeded, std::vector<int>{3});
        QCOMPARE(recorded->load(), 3);  // the two before were cancelled, not just ignored
        QCOMPARE(failures, 0);
    }

    void cancelDropsTheRunningJob() {
        JobRunner jobs;
        QObject view;
        NewestJob job(&view);
        job.setRunner(&jobs);
        auto release = std::make_shared<std::atomic<bool>>(false);
        auto recorded = std::make_shared<std::atomic<int>>(0);
        int handled = 0;
        job.start(QStringLiteral("dropped"), waitThenRecord(release, 7, recorded),
                  [&](JobRunner::Outcome, const QString&) { ++handled; });
        job.cancel();
        QVERIFY(!job.isRunning());
        job.cancel();  // nothing running: harmless
        QTRY_VERIFY(!jobs.isBusy());
        QCoreApplication::processEvents();
        QCOMPARE(handled, 0);
        QCOMPARE(recorded->load(), 0);
    }

    // A failure, and a cancel from elsewhere (the status bar's button), reach the handler.
    void failuresAndOutsideCancelsAreReported() {
        JobRunner jobs;
        QObject view;
        NewestJob job(&view);
        job.setRunner(&jobs);
        std::vector<JobRunner::Outcome> outcomes;
        QString failure;
        auto onEnd = [&](JobRunner::Outcome outcome, const QString& message) {
            outcomes.push_back(outcome);
            failure = message;
        };
        job.start(
            QStringLiteral("failing"),
            [](moewb::Feedback&) { throw std::runtime_error("the layer does not fit"); }, onEnd);
        QTRY_VERIFY(!job.isRunning());
        QCOMPARE(outcomes, std::vector<JobRunner::Outcome>{JobRunner::Outcome::Failed});
        QVERIFY2(failure.contains(QStringLiteral("the layer does not fit")), qPrintable(failure));

        auto release = std::make_shared<std::atomic<bool>>(false);
        auto recorded = std::make_shared<std::atomic<int>>(0);
        job.start(QStringLiteral("cancelled by the user"), waitThenRecord(release, 1, recorded),
                  onEnd);
        jobs.cancelAll();
        QTRY_VERIFY(!job.isRunning());
        QCOMPARE(outcomes.back(), JobRunner::Outcome::Cancelled);
        QCOMPARE(outcomes.size(), std::size_t(2));
    }
};

QTEST_MAIN(TestNewestJob)
#include "test_NewestJob.moc"
