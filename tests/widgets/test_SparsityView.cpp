// SparsityView: the empty hint, per-layer bars and the frequency histogram of a real profile of
// the tiny model, the layer picker, the log-count option and the export of both figures.
#include "core/NmtTestSupport.h"
#include "moewb/moe/Profiler.h"

#include "SparsityView.h"

#include "widgets/FigureTestSupport.h"

#include "QCustomPlotHeader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <memory>

using namespace moewb::gui;

using namespace moewb;

class TestSparsityView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        auto model = test::tinyModel();
        Feedback feedback;
        m_profile = std::make_shared<const ProfileResult>(
            profileModel(*model, test::sixteenPairs(), ProfileOptions{}, feedback));
        QCOMPARE(m_profile->layers.size(), std::size_t(4));
    }

    void emptyShowsTheHint() {
        SparsityView view;
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto* hint = view.findChild<QLabel*>(QStringLiteral("emptyHint"));
        QVERIFY(hint && hint->isVisible());
        QVERIFY(hint->text().contains(QStringLiteral("Profile step")));
        QVERIFY(!view.layersPlot()->isVisible());
        QVERIFY(view.figures().isEmpty());
    }

    void barsShowEveryLayer() {
        SparsityView view;
        view.setProfile(m_profile);
        QCustomPlot* plot = view.layersPlot();
        // Encoder zero + dense, decoder zero + dense.
        QCOMPARE(plot->plottableCount(), 4);
        QVector<double> zeroValues;
        for (int p = 0; p < plot->plottableCount(); ++p) {
            auto* bars = qobject_cast<QCPBars*>(plot->plottable(p));
            QVERIFY(bars);
            QCOMPARE(bars->data()->size(), 2);
            if (!bars->name().contains(QStringLiteral("Dense"))) {
                for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
                    zeroValues << it->value;
                }
            }
        }
        QCOMPARE(zeroValues.size(), 4);
        for (std::size_t l = 0; l < m_profile->layers.size(); ++l) {
            QVERIFY(qAbs(zeroValues[int(l)] - 100.0 * m_profile->layers[l].sparsity()) < 1e-9);
        }
        // Tick labels name the layers; each bar carries its value and its dense share.
        auto ticker = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
        QVERIFY(ticker);
        QCOMPARE(ticker->ticks().size(), 4);
        QVERIFY(ticker->ticks().values().contains(QStringLiteral("decoder1")));
        int denseLabels = 0;
        for (int i = 0; i < plot->itemCount(); ++i) {
            if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) {
                denseLabels += text->text().startsWith(QStringLiteral("dense ")) ? 1 : 0;
            }
        }
        QCOMPARE(denseLabels, 4);
    }

    void histogramFollowsTheLayerPicker() {
        SparsityView view;
        view.setProfile(m_profile);
        QCOMPARE(view.layerPicker()->count(), 4);
        for (int l = 0; l < 4; ++l) {
            view.layerPicker()->setCurrentIndex(l);
            const auto& layer = m_profile->layers[std::size_t(l)];
            const QVector<double> counts = view.histogramCounts();
            QCOMPARE(counts.size(), SparsityView::kHistogramBins);
            double total = 0.0;
            for (double c : counts) {
                total += c;
            }
            QCOMPARE(total, double(layer.dFf));
            // The neurons that never fire land in the first bin.
            int silent = 0;
            for (double f : layer.frequencies()) {
                silent += f == 0.0 ? 1 : 0;
            }
            QVERIFY(counts[0] >= silent);
            QCOMPARE(view.frequencyPlot()->plottableCount(), 1);
        }
        // The chosen layer survives a new profile with the same layers.
        view.layerPicker()->setCurrentIndex(2);
        view.setProfile(m_profile);
        QCOMPARE(view.layerPicker()->currentIndex(), 2);

        auto* log = view.findChild<QCheckBox*>(QStringLiteral("logCounts"));
        log->setChecked(true);
        QCOMPARE(view.frequencyPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(view.frequencyPlot()->yAxis->range().lower > 0.0);
        log->setChecked(false);
        QCOMPARE(view.frequencyPlot()->yAxis->scaleType(), QCPAxis::stLinear);
    }

    void exportsBothFigures() {
        SparsityView view;
        view.resize(900, 700);
        view.setProfile(m_profile);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QList<Figure> figures = view.figures();
        QCOMPARE(figures.size(), 2);
        QCOMPARE(figures[0].name, QStringLiteral("sparsity-layers"));
        QCOMPARE(figures[1].name, QStringLiteral("activation-frequency"));
        QTemporaryDir dir;
        FigureExportOptions options;
        options.dpi = 150;
        checkExportedLayerBars(dir.filePath(QStringLiteral("sparsity-layers.png")), view, options);
        checkExportedHistogram(dir.filePath(QStringLiteral("activation-frequency.png")), view,
                               options);
        if (qEnvironmentVariableIsSet("MOEWB_SCREENSHOT_DIR")) {
            view.grab().save(qEnvironmentVariable("MOEWB_SCREENSHOT_DIR") + "/sparsity.png");
            QFile::copy(
                dir.filePath(QStringLiteral("sparsity-layers.png")),
                qEnvironmentVariable("MOEWB_SCREENSHOT_DIR") + "/sparsity-layers-export.png");
        }

        view.setProfile(nullptr);
        QVERIFY(view.figures().isEmpty());
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("emptyHint"))->isVisible());
    }

private:
    // The exported layer bars: under each layer's name the zero share, drawn in the encoder's
    // or the decoder's colour up to 100 × (1 − Σ counts / (tokens × d_ff)) (docs/algorithms.md,
    // "Profiling"), and the grey dense share above it.
    void checkExportedLayerBars(const QString& path, SparsityView& view,
                                const FigureExportOptions& options) {
        QCustomPlot* plot = view.layersPlot();
        const test::ExportedPlot exported(plot, path, options);
        QVERIFY2(exported.ok(), qPrintable(exported.error()));
        QCOMPARE(exported.image().size(), FigureExporter::pixelSize(options));
        const auto ticks = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
        for (const auto& layer : m_profile->layers) {
            const QString name = QString::fromStdString(layer.name);
            QVERIFY2(ticks.values().contains(name), qPrintable(name));
            const double key = ticks.key(name);
            double fired = 0;
            for (int64_t count : layer.activations) {
                fired += double(count);
            }
            const double zero = 100.0 * (1.0 - fired / (double(layer.tokens) * layer.dFf));
            QVERIFY2(zero > 5 && zero < 95, qPrintable(QString::number(zero)));  // room to look
            const QColor own = FigureExporter::color(name.startsWith("encoder") ? 0 : 3);
            const QColor below = exported.colorAt(plot->xAxis, plot->yAxis, key, zero - 3);
            const QColor above = exported.colorAt(plot->xAxis, plot->yAxis, key, zero + 3);
            QVERIFY2(test::colorDistance(below, own) <= 12,
                     qPrintable(name + ": " + test::colorText(below)));
            QVERIFY2(test::colorDistance(above, QColor(205, 205, 205)) <= 12,
                     qPrintable(name + ": " + test::colorText(above)));
        }
    }

    // The exported histogram of the shown layer (the first, an encoder layer): each bin of 2.5 %
    // is a bar in the encoder colour exactly as high as the neurons whose firing frequency
    // (count / tokens) falls in it, counted here from the profile.
    void checkExportedHistogram(const QString& path, SparsityView& view,
                                const FigureExportOptions& options) {
        QCOMPARE(view.layerPicker()->currentIndex(), 0);
        const auto& layer = m_profile->layers[0];
        std::vector<double> counts(SparsityView::kHistogramBins, 0.0);
        double sum = 0;
        for (int64_t count : layer.activations) {
            const double f = double(count) / double(layer.tokens);
            ++counts[std::size_t(std::min(int(f * SparsityView::kHistogramBins), 39))];
            sum += f;
        }
        const double meanPercent = 100.0 * sum / layer.dFf;  // the dashed mean line is there
        const double peak = *std::max_element(counts.begin(), counts.end());
        QCustomPlot* plot = view.frequencyPlot();
        const test::ExportedPlot exported(plot, path, options);
        QVERIFY2(exported.ok(), qPrintable(exported.error()));
        const QColor own = FigureExporter::color(0);
        int bars = 0;
        for (int b = 0; b < SparsityView::kHistogramBins; ++b) {
            const double key = (b + 0.5) * 100.0 / SparsityView::kHistogramBins;
            if (std::abs(key - meanPercent) < 0.6) {
                continue;
            }
            const QString where = QStringLiteral("bin %1 (%2 neurons)").arg(b).arg(counts[b]);
            if (counts[b] > 0) {
                const QColor inside =
                    exported.colorAt(plot->xAxis, plot->yAxis, key, counts[b] / 2.0);
                QVERIFY2(test::colorDistance(inside, own) <= 12,
                         qPrintable(where + ": " + test::colorText(inside)));
                ++bars;
            }
            const QColor over =
                exported.colorAt(plot->xAxis, plot->yAxis, key, counts[b] + 0.04 * peak);
            QVERIFY2(test::colorDistance(over, own) > 100,
                     qPrintable(where + " above: " + test::colorText(over)));
        }
        QVERIFY(bars >= 2);
    }

    std::shared_ptr<const ProfileResult> m_profile;
};

QTEST_MAIN(TestSparsityView)
#include "test_SparsityView.moc"
