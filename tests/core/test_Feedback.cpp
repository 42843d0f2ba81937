#include "moewb/util/Feedback.h"

#include <QtTest>

#include <thread>

using namespace moewb;

class TestFeedback : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void throttlesButPassesEdgesAndNewMessages() {
        int calls = 0;
        CallbackFeedback feedback([&](double, const std::string&) { ++calls; });
        feedback.setThrottle(std::chrono::milliseconds(10000));
        feedback.setProgress(0.0, "start");
        for (int i = 1; i < 1000; ++i) {
            feedback.setProgress(i / 1000.0);
        }
        feedback.setProgress(0.5, "phase two");
        feedback.setProgress(1.0);
        QCOMPARE(calls, 3);
        QCOMPARE(feedback.progress(), 1.0);
    }
    void clampsFraction() {
        double last = -1;
        CallbackFeedback feedback([&](double f, const std::string&) { last = f; });
        feedback.setProgress(7.0);
        QCOMPARE(last, 1.0);
        feedback.setProgress(-3.0);
        QCOMPARE(last, 0.0);
    }
    void cancelFromAnotherThreadStopsLoop() {
        Feedback feedback;
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            feedback.cancel();
        });
        bool cancelled = false;
        try {
            for (;;) {
                feedback.throwIfCancelled();
            }
        } catch (const OperationCancelled&) {
            cancelled = true;
        }
        canceller.join();
        QVERIFY(cancelled);
    }
    void subFeedbackMapsRangeAndSharesCancel() {
        double last = -1;
        CallbackFeedback parent([&](double f, const std::string&) { last = f; });
        parent.setThrottle(std::chrono::milliseconds(0));
        SubFeedback sub(parent, 0.5, 0.75);
        sub.setProgress(0.5);
        QCOMPARE(last, 0.625);
        sub.cancel();
        QVERIFY(parent.isCancelled());
        QVERIFY(sub.isCancelled());
    }
};

QTEST_APPLESS_MAIN(TestFeedback)
#include "test_Feedback.moc"
