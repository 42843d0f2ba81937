// ExpertStripPlot: encoder and decoder panels sized layers × experts by tokens, fired cells
// filled, hover text naming token, layer, expert and rank, and an empty state with a message.
#include "ExpertStripPlot.h"

#include <QtTest>

#include <cmath>

using namespace moewb::gui;

namespace {

// Two encoder and one decoder layer, N = 4, K = 2: the shape LiveTranslation records.
ExpertStripData threeLayers() {
    ExpertStripData strip;
    strip.numExperts = 4;
    strip.encoderLayers = 2;
    strip.sourceTokens = {"▁Ein", "▁Hund", "</s>"};
    strip.targetTokens = {"▁A", "▁dog", "</s>"};
    strip.layers = {{{0, 1}, {2, 3}, {1, 2}}, {{3, 0}, {0, 1}, {2, 0}}, {{1, 3}, {3, 2}, {0, 2}}};
    return strip;
}

}  // namespace

class TestExpertStripPlot : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void drawsLayersTimesExpertsByTokens() {
        ExpertStripPlot plot;
        plot.resize(800, 400);
        QVERIFY(!plot.hasStrip());
        QVERIFY(!plot.encoderMap()->visible());
        plot.setStrip(threeLayers(), 2);
        QVERIFY(plot.hasStrip());
        auto* enc = plot.encoderMap()->data();
        auto* dec = plot.decoderMap()->data();
        QCOMPARE(enc->keySize(), 3);
        QCOMPARE(enc->valueSize(), 2 * 4);
        QCOMPARE(dec->keySize(), 3);
        QCOMPARE(dec->valueSize(), 4);
        // Encoder layer 1 (second) ran experts 3 and 0 for token 0: rows 4 + 3 and 4 + 0.
        QCOMPARE(enc->cell(0, 7), 2.0);
        QCOMPARE(enc->cell(0, 4), 2.0);
        QCOMPARE(enc->cell(0, 5), 0.0);
        QCOMPARE(dec->cell(1, 3), 1.0);
        QCOMPARE(dec->cell(1, 0), 0.0);
    }

    void describesTheCellUnderTheMouse() {
        ExpertStripPlot plot;
        plot.resize(800, 400);
        plot.setStrip(threeLayers(), 2);
        plot.replot();
        QCPAxisRect* rect = plot.encoderMap()->keyAxis()->axisRect();
        const QPointF cell(plot.encoderMap()->keyAxis()->coordToPixel(1),
                           plot.encoderMap()->valueAxis()->coordToPixel(2));
        const QString text = plot.cellDescription(cell);
        QVERIFY2(text.contains("▁Hund") && text.contains("enc 1") && text.contains("expert 3") &&
                     text.contains("rank 1 of 2"),
                 qPrintable(text));
        const QPointF idle(cell.x(), plot.encoderMap()->valueAxis()->coordToPixel(0));
        QVERIFY(plot.cellDescription(idle).contains("skipped"));
        QVERIFY(plot.cellDescription(QPointF(rect->left() - 30, rect->top() - 30)).isEmpty());
    }

    void singleTokenSidesStillDraw() {
        ExpertStripData strip = threeLayers();
        strip.targetTokens = {"</s>"};
        strip.layers[2] = {{1, 2}};
        ExpertStripPlot plot;
        plot.setStrip(strip, 2);
        QCOMPARE(plot.decoderMap()->data()->keySize(), 2);  // one spare, empty column
        QCOMPARE(plot.decoderMap()->data()->cell(0, 1), 1.0);
        QCOMPARE(plot.decoderMap()->data()->cell(1, 1), 0.0);
    }

    void dynamicKDrawsOnlyTheExpertsATokenRan() {
        // Dynamic K: unused slots recorded as -1 (as MoeLayer records them) are not drawn, and
        // the rank counts only the experts that ran.
        ExpertStripData strip = threeLayers();
        strip.threshold = 0.5;
        strip.maxExperts = 2;
        strip.layers[0] = {{0, -1}, {2, 3}, {-1, -1}};
        ExpertStripPlot plot;
        plot.resize(800, 400);
        plot.setStrip(strip, 2);
        auto* enc = plot.encoderMap()->data();
        QCOMPARE(enc->cell(0, 0), 1.0);
        for (int expert = 1; expert < 4; ++expert) {
            QCOMPARE(enc->cell(0, expert), 0.0);  // the -1 slot fills no cell
            QCOMPARE(enc->cell(2, expert), 0.0);
        }
        QCOMPARE(enc->cell(2, 0), 0.0);
        QVERIFY(std::abs(strip.meanExperts() - 15.0 / 9.0) < 1e-9);  // 1 + 2 + 0 + 6 + 6
        plot.replot();
        const QPointF cell(plot.encoderMap()->keyAxis()->coordToPixel(0),
                           plot.encoderMap()->valueAxis()->coordToPixel(0));
        const QString text = plot.cellDescription(cell);
        QVERIFY2(text.contains("rank 1 of 1"), qPrintable(text));
    }

    void clearsWithAMessage() {
        ExpertStripPlot plot;
        plot.setStrip(threeLayers(), 2);
        plot.clearStrip(QStringLiteral("Train routers first"));
        QVERIFY(!plot.hasStrip());
        QVERIFY(!plot.encoderMap()->visible());
        QVERIFY(plot.cellDescription(QPointF(100, 100)).isEmpty());
    }
};

QTEST_MAIN(TestExpertStripPlot)
#include "test_ExpertStripPlot.moc"
