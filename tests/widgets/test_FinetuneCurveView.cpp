// FinetuneCurveView: the hint before any fine-tune, live points drawn into the loss and BLEU
// graphs with throttled redraws, smoothing that keeps the raw values one tick away, the MSE line
// only when it is trained, the summary line, and export as a figure.
#include "FinetuneCurveView.h"

#include "QCustomPlotHeader.h"

#include <QCheckBox>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace moewb::gui;

namespace {

// A noisy falling loss; BLEU at every `checkEvery` steps.
moewb::FinetunePoint point(int step, int checkEvery = 10, double mse = 0) {
    moewb::FinetunePoint p;
    p.step = step;
    p.seconds = 2.0 * step;
    p.k = 4;
    p.kd = 2.0 / (1 + 0.05 * step) + ((step % 2) != 0 ? 0.2 : -0.2);
    p.ce = 3.0 / (1 + 0.05 * step);
    p.mse = mse;
    p.loss = p.kd + 0.5 * p.ce;
    p.bleu = step % checkEvery == 0 ? 10.0 + step / 10.0 : -1;
    p.tokensPerSecond = 1500;
    return p;
}

std::vector<moewb::FinetunePoint> curve(int steps, double mse = 0) {
    std::vector<moewb::FinetunePoint> points;
    for (int s = 1; s <= steps; ++s) {
        points.push_back(point(s, 10, mse));
    }
    return points;
}

}  // namespace

class TestFinetuneCurveView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsTheHintUntilThereIsACurve() {
        FinetuneCurveView view;
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("emptyHint"))->isVisible());
        QVERIFY(view.figures().isEmpty());
        QCOMPARE(view.pointCount(), 0);
        view.setCurve(QStringLiteral("kmeans-ft"), curve(30));
        QVERIFY(!view.findChild<QLabel*>(QStringLiteral("emptyHint"))->isVisible());
        QCOMPARE(view.figures().size(), 1);
        QCOMPARE(view.figures().front().name, QStringLiteral("finetune-curve"));
        view.setCurve(QString(), {});
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("emptyHint"))->isVisible());
    }

    void drawsLivePointsWithThrottledRedraws() {
        FinetuneCurveView view;
        view.show();
        view.setCurve(QStringLiteral("kmeans-ft"), {});
        QSignalSpy redrawn(&view, &FinetuneCurveView::redrawn);
        // A burst of 50 steps (faster than any real fine-tune) is one redraw, not 50.
        for (int s = 1; s <= 50; ++s) {
            view.addPoint(point(s));
        }
        QCOMPARE(redrawn.count(), 0);  // nothing drawn synchronously
        QVERIFY(redrawn.wait(5 * FinetuneCurveView::kRedrawIntervalMs));
        QTest::qWait(2 * FinetuneCurveView::kRedrawIntervalMs);
        QCOMPARE(redrawn.count(), 1);
        QCOMPARE(redrawn.last().at(0).toInt(), 50);
        QCOMPARE(view.pointCount(), 50);
        using Series = FinetuneCurveView::Series;
        for (Series s : {Series::Loss, Series::Kd, Series::Ce}) {
            QCOMPARE(view.graph(s)->dataCount(), 50);
        }
        QCOMPARE(view.graph(Series::Bleu)->dataCount(), 5);  // checks at 10, 20 … 50
        QCOMPARE(view.checkCount(), 5);
        QCOMPARE(view.graph(Series::Bleu)->valueAxis(), view.plot()->yAxis2);
        QCOMPARE(view.graph(Series::Bleu)->data()->at(4)->value, 15.0);
        // The axes follow the data: every step and the best BLEU are in view.
        QVERIFY(view.plot()->xAxis->range().upper >= 50);
        QVERIFY(view.plot()->yAxis2->range().upper > 15.0);
        QCOMPARE(view.plot()->yAxis->range().lower, 0.0);
        // The summary names the last step and the last and best check.
        QVERIFY2(view.summaryText().contains("50"), qPrintable(view.summaryText()));
        QVERIFY2(view.summaryText().contains("15.00"), qPrintable(view.summaryText()));
        // A later point redraws again.
        view.addPoint(point(51));
        QVERIFY(redrawn.wait(5 * FinetuneCurveView::kRedrawIntervalMs));
        QCOMPARE(redrawn.last().at(0).toInt(), 51);
        QCOMPARE(view.graph(Series::Loss)->dataCount(), 51);
    }

    void smoothsTheLossesButNotBleu() {
        FinetuneCurveView view;
        const auto points = curve(40);
        view.setCurve(QStringLiteral("m"), points);
        using Series = FinetuneCurveView::Series;
        QVERIFY(view.isSmoothed());
        auto* kd = view.graph(Series::Kd);
        // Debiased: the first smoothed value is the first measured one.
        QCOMPARE(kd->data()->at(0)->value, points[0].kd);
        // The ±0.2 zigzag mostly averages out.
        const double smoothedJump = std::abs(kd->data()->at(21)->value - kd->data()->at(20)->value);
        QVERIFY(smoothedJump < 0.1);
        view.findChild<QCheckBox*>(QStringLiteral("smoothLoss"))->setChecked(false);
        QVERIFY(!view.isSmoothed());
        for (int i = 0; i < 40; ++i) {
            QCOMPARE(kd->data()->at(i)->value, points[std::size_t(i)].kd);
            QCOMPARE(view.graph(Series::Loss)->data()->at(i)->value, points[std::size_t(i)].loss);
        }
        QCOMPARE(view.graph(Series::Bleu)->data()->at(0)->value, points[9].bleu);
    }

    void showsTheMseLineOnlyWhenTrained() {
        FinetuneCurveView view;
        using Series = FinetuneCurveView::Series;
        view.setCurve(QStringLiteral("m"), curve(20));
        QVERIFY(!view.graph(Series::Mse)->visible());
        view.setCurve(QStringLiteral("m"), curve(20, 0.3));
        QVERIFY(view.graph(Series::Mse)->visible());
        QCOMPARE(view.graph(Series::Mse)->dataCount(), 20);
    }

    void exportsTheCurveAsAFigure() {
        FinetuneCurveView view;
        view.resize(900, 600);
        view.setCurve(QStringLiteral("kmeans-ft"), curve(60));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTemporaryDir dir;
        FigureExportOptions options;
        options.dpi = 96;
        QString error;
        const QStringList written = FigureExporter::exportAll(
            view.figures(), dir.path(), {QStringLiteral("png"), QStringLiteral("svg")}, options,
            &error);
        QVERIFY2(written.size() == 2, qPrintable(error));
        QCOMPARE(QImage(written[0]).size(), FigureExporter::pixelSize(options));
    }
};

QTEST_MAIN(TestFinetuneCurveView)
#include "test_FinetuneCurveView.moc"
