// JobRunner: progress, success, failure, cancellation and shutdown, all seen through its signals.
#include "JobRunner.h"

#include "moewb/util/Feedback.h"

#include <c10/util/Exception.h>

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace moewb::gui;

namespace {

// Work that spins until cancelled, checking the flag the way core loops do.
JobRunner::Work spinUntilCancelled(std::shared_ptr<std::atomic<bool>> running) {
    return [running](moewb::Feedback& feedback) {
        running->store(true);
        for (;;) {
            feedback.throwIfCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    };
}

}  // namespace

class TestJobRunner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reportsProgressAndSuccess() {
        JobRunner runner;
        QSignalSpy progress(&runner, &JobRunner::progress);
        QSignalSpy succeeded(&runner, &JobRunner::succeeded);
        QSignalSpy busy(&runner, &JobRunner::busyChanged);
        auto result = std::make_shared<int>(0);
        std::atomic<bool> onGuiThread{true};
        connect(&runner, &JobRunner::progress, this, [&onGuiThread] {
            onGuiThread = onGuiThread && QThread::currentThread() == qApp->thread();
        });

        const int id = runner.start(QStringLiteral("count"), [result](moewb::Feedback& feedback) {
            feedback.setProgress(0.5, "halfway");
            *result = 42;
            feedback.setProgress(1.0, "done");
        });
        QVERIFY(id > 0);
        QVERIFY(runner.isBusy());
        QCOMPARE(runner.title(id), QStringLiteral("count"));

        QTRY_COMPARE(succeeded.count(), 1);
        QCOMPARE(succeeded.at(0).at(0).toInt(), id);
        QCOMPARE(*result, 42);
        QVERIFY(progress.count() >= 2);
        QCOMPARE(progress.at(0).at(1).toDouble(), 0.5);
        QCOMPARE(progress.at(0).at(2).toString(), QStringLiteral("halfway"));
        QCOMPARE(progress.last().at(1).toDouble(), 1.0);
        QCOMPARE(progress.last().at(2).toString(), QStringLiteral("done"));
        QVERIFY(onGuiThread);
        QVERIFY(!runner.isBusy());
        QVERIFY(runner.title(id).isEmpty());
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(0).at(0).toBool(), true);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
    }

    void reportsFailureWithTheExceptionMessage() {
        JobRunner runner;
        QSignalSpy failed(&runner, &JobRunner::failed);
        QSignalSpy succeeded(&runner, &JobRunner::succeeded);
        const int id = runner.start(QStringLiteral("fail"), [](moewb::Feedback&) {
            throw std::runtime_error("corpus.tsv:3: missing tab");
        });
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).toInt(), id);
        QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("corpus.tsv:3: missing tab"));
        QCOMPARE(succeeded.count(), 0);
        QVERIFY(!runner.isBusy());
    }

    // A LibTorch error (its what() ends in a backtrace of "frame #" lines) reaches the user as
    // one line that names the job.
    void aLibTorchErrorBecomesOneLineNamingTheJob() {
        JobRunner runner;
        QSignalSpy failed(&runner, &JobRunner::failed);
        runner.start(QStringLiteral("Building mlp routers over kmeans"), [](moewb::Feedback&) {
            TORCH_CHECK(false, "shape '[-4, 32]' is invalid for input of size 128");
        });
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(!message.contains('\n') && !message.contains("frame #") &&
                     !message.contains("Exception raised from"),
                 qPrintable(message));
        QVERIFY2(message.startsWith("Building mlp routers over kmeans: LibTorch error: shape "),
                 qPrintable(message));
    }

    // A cancel reaches the running work through its Feedback: the work's own check throws, and
    // the job ends with cancelled(id) only, never succeeded or failed. Event-driven: the work
    // records that its cancel check fired, no wall-clock limit.
    void cancelReachesTheRunningWork() {
        JobRunner runner;
        QSignalSpy cancelled(&runner, &JobRunner::cancelled);
        QSignalSpy succeeded(&runner, &JobRunner::succeeded);
        QSignalSpy failed(&runner, &JobRunner::failed);
        QSignalSpy busy(&runner, &JobRunner::busyChanged);
        auto running = std::make_shared<std::atomic<bool>>(false);
        auto sawCancel = std::make_shared<std::atomic<bool>>(false);
        const int id =
            runner.start(QStringLiteral("spin"), [running, sawCancel](moewb::Feedback& feedback) {
                running->store(true);
                try {
                    for (;;) {
                        feedback.throwIfCancelled();
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    }
                } catch (const moewb::OperationCancelled&) {
                    sawCancel->store(true);
                    throw;
                }
            });
        QTRY_VERIFY(running->load());
        QVERIFY(!sawCancel->load());

        runner.cancel(id);
        QVERIFY(cancelled.wait());
        QVERIFY(sawCancel->load());
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(cancelled.at(0).at(0).toInt(), id);
        QCOMPARE(succeeded.count(), 0);
        QCOMPARE(failed.count(), 0);
        QVERIFY(!runner.isBusy());
        QVERIFY(runner.title(id).isEmpty());
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
    }

    // The documented pattern (JobRunner.h): each job writes its own result and the view adopts
    // whatever result succeeded(id) names. A cancelled job's half-built result must never be
    // delivered: the runner signals cancelled for it, not succeeded.
    void cancelledJobDeliversNoResult() {
        JobRunner runner;
        std::map<int, std::shared_ptr<std::vector<int>>> results;
        std::shared_ptr<std::vector<int>> shown;
        QList<int> delivered;
        connect(&runner, &JobRunner::succeeded, this, [&](int id) {
            delivered << id;
            shown = results.at(id);
        });
        QSignalSpy cancelled(&runner, &JobRunner::cancelled);
        QSignalSpy failed(&runner, &JobRunner::failed);

        auto first = std::make_shared<std::vector<int>>();
        const int firstId = runner.start(QStringLiteral("first"), [first](moewb::Feedback&) {
            *first = {1, 2, 3};
        });
        results[firstId] = first;
        QTRY_VERIFY(shown != nullptr);
        QCOMPARE(*shown, (std::vector<int>{1, 2, 3}));

        auto second = std::make_shared<std::vector<int>>();
        auto running = std::make_shared<std::atomic<bool>>(false);
        const int secondId =
            runner.start(QStringLiteral("second"), [second, running](moewb::Feedback& feedback) {
                second->push_back(99);  // a half-built result
                running->store(true);
                for (;;) {
                    feedback.throwIfCancelled();
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            });
        results[secondId] = second;
        QTRY_VERIFY(running->load());
        runner.cancel(secondId);
        QVERIFY(cancelled.wait());
        QCOMPARE(cancelled.at(0).at(0).toInt(), secondId);
        QTRY_VERIFY(!runner.isBusy());
        QCOMPARE(delivered, QList<int>{firstId});
        QCOMPARE(failed.count(), 0);
        QVERIFY(shown == first);
        QCOMPARE(*shown, (std::vector<int>{1, 2, 3}));
    }

    void cancelWhileQueuedNeverRunsTheWork() {
        JobRunner runner;
        QSignalSpy cancelled(&runner, &JobRunner::cancelled);
        // Occupy every worker so the next job waits in the queue.
        std::vector<std::shared_ptr<std::atomic<bool>>> blockers;
        const int workers = std::max(2, QThread::idealThreadCount());
        for (int i = 0; i < workers; ++i) {
            blockers.push_back(std::make_shared<std::atomic<bool>>(false));
            runner.start(QStringLiteral("blocker"), spinUntilCancelled(blockers.back()));
        }
        for (const auto& blocker : blockers) {
            QTRY_VERIFY(blocker->load());
        }
        auto ran = std::make_shared<std::atomic<bool>>(false);
        const int queued =
            runner.start(QStringLiteral("queued"), [ran](moewb::Feedback&) { ran->store(true); });
        QCOMPARE(runner.activeJobCount(), workers + 1);
        runner.cancel(queued);
        runner.cancelAll();
        QTRY_COMPARE(cancelled.count(), workers + 1);
        QVERIFY(!ran->load());
        QVERIFY(!runner.isBusy());
    }

    void destructorCancelsAndWaits() {
        auto running = std::make_shared<std::atomic<bool>>(false);
        auto finished = std::make_shared<std::atomic<bool>>(false);
        {
            JobRunner runner;
            runner.start(QStringLiteral("spin"), [running, finished](moewb::Feedback& feedback) {
                running->store(true);
                while (!feedback.isCancelled()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                finished->store(true);
            });
            QTRY_VERIFY(running->load());
        }
        QVERIFY(finished->load());
    }

    // The end handler: called once, on the GUI thread, with the outcome and the one-line error,
    // before the observers' signals; skipped when its context object is gone.
    void endHandlerReportsEachOutcomeOnce() {
        JobRunner runner;
        std::vector<QString> events;  // handler and signal calls, in order
        connect(&runner, &JobRunner::succeeded, this, [&] { events.push_back("signal:ok"); });
        connect(&runner, &JobRunner::failed, this, [&] { events.push_back("signal:failed"); });
        connect(&runner, &JobRunner::cancelled, this,
                [&] { events.push_back("signal:cancelled"); });
        auto handler = [&](JobRunner::Outcome outcome, const QString& message) {
            const bool gui = QThread::currentThread() == qApp->thread();
            const char* name = outcome == JobRunner::Outcome::Succeeded ? "ok"
                               : outcome == JobRunner::Outcome::Failed  ? "failed"
                                                                        : "cancelled";
            events.push_back(QStringLiteral("handler:%1:%2%3")
                                 .arg(name, message, gui ? "" : " (worker thread!)"));
        };
        runner.start(
            QStringLiteral("ok"), [](moewb::Feedback&) {}, this, handler);
        QTRY_COMPARE(events.size(), std::size_t(2));
        runner.start(
            QStringLiteral("bad"),
            [](moewb::Feedback&) { throw std::runtime_error("file.txt:3: no number"); }, this,
            handler);
        QTRY_COMPARE(events.size(), std::size_t(4));
        auto running = std::make_shared<std::atomic<bool>>(false);
        const int spinning =
            runner.start(QStringLiteral("spin"), spinUntilCancelled(running), this, handler);
        QTRY_VERIFY(running->load());
        runner.cancel(spinning);
        QTRY_COMPARE(events.size(), std::size_t(6));
        QCOMPARE(events, (std::vector<QString>{
                             "handler:ok:", "signal:ok", "handler:failed:file.txt:3: no number",
                             "signal:failed", "handler:cancelled:", "signal:cancelled"}));

        // A context destroyed while its job runs: the handler is skipped, the signal still comes.
        auto context = std::make_unique<QObject>();
        auto release = std::make_shared<std::atomic<bool>>(false);
        bool called = false;
        runner.start(
            QStringLiteral("outlived"),
            [release](moewb::Feedback&) {
                while (!release->load()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                }
            },
            context.get(), [&](JobRunner::Outcome, const QString&) { called = true; });
        context.reset();
        release->store(true);
        QTRY_COMPARE(events.size(), std::size_t(7));
        QCOMPARE(events.back(), QStringLiteral("signal:ok"));
        QVERIFY(!called);
    }

    void unknownIdsAreIgnored() {
        JobRunner runner;
        runner.cancel(12345);
        QVERIFY(!runner.isBusy());
        QVERIFY(runner.title(12345).isEmpty());
    }
};

QTEST_MAIN(TestJobRunner)
#include "test_JobRunner.moc"
