// InterleavedTiming with scripted variants (each returns fixed durations, no clock involved): the
// alternation order, the median and spread of the per-round speed-ups, the stability rule, the
// round and time budgets, and cancellation.
#include "moewb/util/InterleavedTiming.h"

#include <QtTest>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace moewb;

namespace {

// A variant that returns its scripted durations in turn (the last one again when they run out)
// and logs its name on every call.
TimedVariant scripted(std::vector<double> durations, std::string name = {},
                      std::shared_ptr<std::string> log = nullptr) {
    auto next = std::make_shared<std::size_t>(0);
    return [durations = std::move(durations), name = std::move(name), log, next] {
        if (log) {
            *log += name;
        }
        const std::size_t i = std::min(*next, durations.size() - 1);
        ++*next;
        return durations[i];
    };
}

InterleavedTimingOptions neverStable(int maxRounds) {
    InterleavedTimingOptions options;
    options.maxRounds = maxRounds;
    options.stableChange = 0.0;  // "changed by less than 0 %" never holds
    return options;
}

}  // namespace

class TestInterleavedTiming : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsWarmUpsThenAlternatingRounds() {
        auto log = std::make_shared<std::string>();
        Feedback feedback;
        const auto timing = timeInterleaved(
            {scripted({1.0}, "A", log), scripted({1.0}, "B", log), scripted({1.0}, "C", log)},
            neverStable(3), feedback);
        QCOMPARE(*log, std::string("ABC"
                                   "ABCABCABC"));  // warm-ups, then three rounds
        QCOMPARE(timing.rounds, 3);
        QCOMPARE(timing.seconds.size(), std::size_t(3));
        QCOMPARE(timing.seconds[2].size(), std::size_t(3));
        QVERIFY(timing.stop == InterleavedTiming::Stop::MaxRounds);

        log->clear();
        auto options = neverStable(2);
        options.warmUp = false;
        timeInterleaved({scripted({1.0}, "A", log), scripted({1.0}, "B", log)}, options, feedback);
        QCOMPARE(*log, std::string("ABAB"));
    }

    void speedupIsTheMedianOfPerRoundRatios() {
        Feedback feedback;
        // First value of each script: the warm-up, which must not count (it would be a ratio 100).
        const auto timing = timeInterleaved(
            {scripted({1.0, 1.0, 1.0, 1.0, 1.0, 1.0}), scripted({0.01, 0.5, 0.4, 0.5, 0.25, 0.5})},
            neverStable(5), feedback);
        QCOMPARE(timing.rounds, 5);
        QCOMPARE(timing.seconds[1], std::vector<double>({0.5, 0.4, 0.5, 0.25, 0.5}));
        QCOMPARE(timing.medianSeconds[0], 1.0);
        QCOMPARE(timing.medianSeconds[1], 0.5);
        // Round ratios 2, 2.5, 2, 4, 2: median 2, and ± reaches the farthest round (4).
        const TimingRatio& speedup = timing.speedups[1];
        QCOMPARE(speedup.median, 2.0);
        QCOMPARE(speedup.low, 2.0);
        QCOMPARE(speedup.high, 4.0);
        QCOMPARE(speedup.spread, 2.0);
        QCOMPARE(timing.speedups[0].median, 1.0);
        QCOMPARE(timing.speedups[0].spread, 0.0);
    }

    void aSlowdownBetweenRoundsCancels() {
        // The machine runs 1.6× slower in rounds 2 and 3; B is twice as fast as A within every
        // round, so every round's ratio is exactly 2 although the times themselves scatter.
        Feedback feedback;
        const auto timing = timeInterleaved(
            {scripted({1.0, 1.0, 1.6, 1.6, 1.0}), scripted({0.5, 0.5, 0.8, 0.8, 0.5})},
            neverStable(4), feedback);
        QCOMPARE(timing.seconds[0], std::vector<double>({1.0, 1.6, 1.6, 1.0}));
        QCOMPARE(timing.speedups[1].median, 2.0);
        QCOMPARE(timing.speedups[1].spread, 0.0);
    }

    void statisticsOfAnEvenCount() {
        QCOMPARE(medianOf({4.0, 1.0, 3.0, 2.0}), 2.5);
        QCOMPARE(medianOf({}), 0.0);
        const auto ratio = ratioStatistics({1.0, 2.0, 3.0, 4.0});
        QCOMPARE(ratio.median, 2.5);
        QCOMPARE(ratio.spread, 1.5);
        const auto ratios = perRoundRatios({2.0, 3.0, 1.0}, {1.0, 2.0, 0.0});
        QCOMPARE(ratios[0], 2.0);
        QCOMPARE(ratios[1], 1.5);
        QVERIFY(std::isinf(ratios[2]));
        QCOMPARE(ratioStatistics({}).median, 1.0);
    }

    void scaledAndText() {
        const auto ratio = ratioStatistics({1.25, 1.31, 1.35});
        QCOMPARE(ratio.text(), std::string("×1.31 ± 0.06"));
        const auto perToken = ratio.scaled(2.0);
        QCOMPARE(perToken.median, 2.62);
        QCOMPARE(perToken.spread, 0.12);
        QCOMPARE(perToken.low, 2.5);
        QCOMPARE(perToken.text(3), std::string("×2.620 ± 0.120"));
    }

    void stopsOnceTheMedianIsStable() {
        Feedback feedback;
        // Constant ratio: stable as soon as the minimum rounds are in.
        auto timing = timeInterleaved({scripted({1.0}), scripted({0.5})},
                                      InterleavedTimingOptions{}, feedback);
        QCOMPARE(timing.rounds, 3);
        QVERIFY(timing.stop == InterleavedTiming::Stop::Stable);

        // Ratios 1, 1.5, 1.5, 1.5, …: medians 1, 1.25, 1.5 (20 % moves), then 1.5 (0 %): round 4.
        InterleavedTimingOptions options;
        options.maxRounds = 10;
        timing =
            timeInterleaved({scripted({1.0}), scripted({1.0, 1.0, 1.0 / 1.5})}, options, feedback);
        QCOMPARE(timing.rounds, 4);
        QVERIFY(timing.stop == InterleavedTiming::Stop::Stable);
        QCOMPARE(timing.speedups[1].median, 1.5);

        // Ratios 1, 2, 3, …: the median keeps moving, so the round limit ends it.
        timing = timeInterleaved({scripted({1.0}), scripted({1.0, 1.0, 0.5, 1.0 / 3, 0.25, 0.2})},
                                 options, feedback);
        QCOMPARE(timing.rounds, 10);
        QVERIFY(timing.stop == InterleavedTiming::Stop::MaxRounds);

        // Any one of several speed-ups still moving keeps the rounds going.
        options.maxRounds = 5;
        timing = timeInterleaved(
            {scripted({1.0}), scripted({0.5}), scripted({1.0, 1.0, 0.5, 1.0 / 3, 0.25, 0.2})},
            options, feedback);
        QCOMPARE(timing.rounds, 5);

        // A lone variant: its median time is what must settle.
        timing = timeInterleaved({scripted({2.0})}, options, feedback);
        QCOMPARE(timing.rounds, 3);
        QVERIFY(timing.stop == InterleavedTiming::Stop::Stable);
        QCOMPARE(timing.medianSeconds[0], 2.0);

        // One round cannot be stable on its own, whatever minRounds says.
        options.minRounds = 1;
        timing = timeInterleaved({scripted({1.0}), scripted({0.5})}, options, feedback);
        QCOMPARE(timing.rounds, 2);
    }

    void budgetEndsTheRounds() {
        Feedback feedback;
        auto options = neverStable(10);
        options.timeBudget = 0.5;
        // Warm-ups of 10 s do not count; rounds cost 0.2 s: after round 2 (0.4 s spent) a third
        // would pass 0.5 s, so it is not started, although minRounds is 3.
        auto timing =
            timeInterleaved({scripted({10.0, 0.1}), scripted({10.0, 0.1})}, options, feedback);
        QCOMPARE(timing.rounds, 2);
        QVERIFY(timing.stop == InterleavedTiming::Stop::Budget);

        // A round longer than the whole budget still gives one measurement.
        timing = timeInterleaved({scripted({3.0}), scripted({2.0})}, options, feedback);
        QCOMPARE(timing.rounds, 1);
        QCOMPARE(timing.speedups[1].median, 1.5);
        QVERIFY(timing.stop == InterleavedTiming::Stop::Budget);

        // No budget: the rounds limit alone.
        options.timeBudget = 0;
        timing = timeInterleaved({scripted({3.0}), scripted({2.0})}, options, feedback);
        QCOMPARE(timing.rounds, 10);
    }

    void cancellationStopsBeforeTheNextRun() {
        Feedback feedback;
        int calls = 0;
        const TimedVariant a = [&] {
            if (++calls == 3) {
                feedback.cancel();  // the user presses Cancel during the first timed run
            }
            return 1.0;
        };
        const TimedVariant b = [&] {
            ++calls;
            return 1.0;
        };
        QVERIFY_THROWS_EXCEPTION(OperationCancelled,
                                 timeInterleaved({a, b}, InterleavedTimingOptions{}, feedback));
        QCOMPARE(calls, 3);
    }

    void badArgumentsAreRefused() {
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 timeInterleaved({}, InterleavedTimingOptions{}, feedback));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 timeInterleaved({scripted({1.0})}, neverStable(0), feedback));
    }

    void wallClockTimedRunsTheWorkOnce() {
        int runs = 0;
        const auto variant = wallClockTimed([&] { ++runs; });
        QVERIFY(variant() >= 0.0);
        QCOMPARE(runs, 1);
    }
};

QTEST_APPLESS_MAIN(TestInterleavedTiming)
#include "test_InterleavedTiming.moc"
