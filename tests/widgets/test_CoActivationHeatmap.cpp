// CoActivationHeatmap on a real profile and a real random partition of the tiny model: the cells
// are the co-activation counts, reordering puts each expert in a diagonal block, the hover text
// names the right neurons, highlighting outlines a block, both figures export, and a 1024-neuron
// layer redraws quickly.
#include "core/NmtTestSupport.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/Profiler.h"

#include "CoActivationHeatmap.h"
#include "JobRunner.h"

#include "widgets/FigureTestSupport.h"

#include "QCustomPlotHeader.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

using namespace moewb::gui;

using namespace moewb;

namespace {

std::shared_ptr<const ProfileResult> profileOf(NmtModel& model) {
    Feedback feedback;
    return std::make_shared<const ProfileResult>(
        profileModel(model, test::sixteenPairs(), ProfileOptions{}, feedback));
}

PartitionEntry randomPartition(NmtModel& model, const ProfileResult& profile, int experts) {
    Feedback feedback;
    ModelPartitionOptions options;
    options.method = "random";
    options.numExperts = experts;
    PartitionEntry entry;
    entry.name = QStringLiteral("random");
    entry.set =
        std::make_shared<const PartitionSet>(partitionModel(model, &profile, options, feedback));
    return entry;
}

// The value a cell must hold: log10 of the count, or NaN (drawn as "never together") for zero.
bool cellMatches(double cell, int64_t count) {
    return count == 0 ? std::isnan(cell) : std::abs(cell - std::log10(double(count))) < 1e-12;
}

}  // namespace

class TestCoActivationHeatmap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_model = test::tinyModel();
        m_profile = profileOf(*m_model);
        m_partition = randomPartition(*m_model, *m_profile, 4);
    }

    // With a runner the maps are prepared on a worker: "preparing…" meanwhile, only the newest
    // of quick layer changes is shown, and what arrives is what the GUI thread would have built.
    void aRunnerPreparesTheMapsOffTheGuiThread() {
        JobRunner jobs;
        CoActivationHeatmap direct, prepared;
        prepared.setJobRunner(&jobs);
        QSignalSpy shown(&prepared, &CoActivationHeatmap::layerShown);
        for (CoActivationHeatmap* view : {&direct, &prepared}) {
            view->setProfile(m_profile);
            view->setPartitions({m_partition});
        }
        QVERIFY(prepared.isPreparing());
        const auto* info = prepared.findChild<QLabel*>(QStringLiteral("layerInfo"));
        QVERIFY2(info->text().contains(QStringLiteral("preparing")), qPrintable(info->text()));
        QTRY_VERIFY(!prepared.isPreparing());
        QCOMPARE(shown.count(), 1);

        prepared.setCurrentLayer(1);
        prepared.setCurrentLayer(3);  // overtakes layer 1 before it arrives
        direct.setCurrentLayer(3);
        QTRY_VERIFY(!jobs.isBusy());
        QCOMPARE(shown.count(), 2);
        QCOMPARE(prepared.currentLayer(), 3);
        QCOMPARE(info->text(), direct.findChild<QLabel*>(QStringLiteral("layerInfo"))->text());
        QCOMPARE(prepared.displayOrder(), direct.displayOrder());
        QCOMPARE(prepared.expertSize(), direct.expertSize());
        QCOMPARE(prepared.intraExpertShare(), direct.intraExpertShare());
        QCPColorMapData* a = prepared.colorMap()->data();
        QCPColorMapData* b = direct.colorMap()->data();
        const int n = m_profile->layers[3].dFf;
        QCOMPARE(a->keySize(), n);
        for (int row = 0; row < n; ++row) {
            for (int column = 0; column < n; ++column) {
                const double x = a->cell(column, row), y = b->cell(column, row);
                QVERIFY((std::isnan(x) && std::isnan(y)) || x == y);
            }
        }
        QCOMPARE(prepared.cellToolTip(true, 0, 1), direct.cellToolTip(true, 0, 1));
    }

    void emptyShowsTheHint() {
        CoActivationHeatmap view;
        view.resize(700, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("emptyHint"))->isVisible());
        QVERIFY(view.figures().isEmpty());
        QCOMPARE(view.currentLayer(), -1);
        QVERIFY(view.cellToolTip(true, 0, 0).isEmpty());
    }

    void originalOrderShowsTheCounts() {
        CoActivationHeatmap view;
        view.setProfile(m_profile);
        view.setPartitions({m_partition});
        QCOMPARE(view.findChild<QComboBox*>(QStringLiteral("layerPicker"))->count(), 4);
        QCOMPARE(view.findChild<QComboBox*>(QStringLiteral("partitionPicker"))->count(), 2);
        QCOMPARE(view.currentPartition(), QStringLiteral("random"));  // experts first
        view.setCurrentPartition(QString());
        QCOMPARE(view.currentPartition(), QString());
        view.setCurrentLayer(1);
        const auto& layer = m_profile->layers[1];
        QCPColorMapData* data = view.colorMap()->data();
        QCOMPARE(data->keySize(), layer.dFf);
        QCOMPARE(data->valueSize(), layer.dFf);
        for (int row = 0; row < layer.dFf; ++row) {
            QCOMPARE(view.displayOrder()[std::size_t(row)], row);
            for (int column = 0; column < layer.dFf; ++column) {
                QVERIFY(cellMatches(data->cell(column, row), layer.coActivationAt(row, column)));
            }
        }
        QCOMPARE(view.expertAtPosition(0), -1);
    }

    void partitionPutsExpertsOnTheDiagonal() {
        CoActivationHeatmap view;
        view.setProfile(m_profile);
        view.setPartitions({m_partition});
        view.setCurrentLayer(2);
        view.setCurrentPartition(QStringLiteral("random"));
        const auto& layer = m_profile->layers[2];
        const ExpertPartition& partition = m_partition.set->layers[2];
        const int m = partition.expertSize();
        QCOMPARE(view.expertSize(), m);
        QVERIFY(view.displayOrder() == partition.permutation());
        const std::vector<int> expertOf = partition.expertOf();
        for (int p = 0; p < layer.dFf; ++p) {
            // Position p belongs to block p / m, and the neuron there is of that expert.
            QCOMPARE(view.expertAtPosition(p), p / m);
            QCOMPARE(expertOf[std::size_t(view.displayOrder()[std::size_t(p)])], p / m);
        }
        QCPColorMapData* data = view.colorMap()->data();
        const auto& order = view.displayOrder();
        for (int row = 0; row < layer.dFf; ++row) {
            for (int column = 0; column < layer.dFf; ++column) {
                QVERIFY(cellMatches(
                    data->cell(column, row),
                    layer.coActivationAt(order[std::size_t(row)], order[std::size_t(column)])));
            }
        }
        // Expert boundaries: N-1 vertical and N-1 horizontal lines, besides the highlight items.
        int lines = 0;
        for (int i = 0; i < view.plot()->itemCount(); ++i) {
            lines += qobject_cast<QCPItemLine*>(view.plot()->item(i)) ? 1 : 0;
        }
        QCOMPARE(lines, 2 * (partition.numExperts - 1));
        // The within-expert share is computed from the same counts.
        double inside = 0, total = 0;
        for (int i = 0; i < layer.dFf; ++i) {
            for (int j = 0; j < layer.dFf; ++j) {
                if (i != j) {
                    total += double(layer.coActivationAt(i, j));
                    inside += expertOf[i] == expertOf[j] ? double(layer.coActivationAt(i, j)) : 0;
                }
            }
        }
        QVERIFY(std::abs(view.intraExpertShare() - inside / total) < 1e-12);
    }

    void hoverNamesNeuronsExpertsAndCount() {
        CoActivationHeatmap view;
        view.resize(800, 700);
        view.setProfile(m_profile);
        view.setPartitions({m_partition});
        view.setCurrentPartition(QStringLiteral("random"));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();
        const auto& layer = m_profile->layers[0];
        const ExpertPartition& partition = m_partition.set->layers[0];
        const int m = partition.expertSize();
        // Row 3 (expert 0) against column m + 5 (expert 1).
        const int i = view.displayOrder()[3];
        const int j = view.displayOrder()[std::size_t(m + 5)];
        const QString expected = QStringLiteral(
                                     "Neurons %1 and %2\nExperts E0 and E1\n"
                                     "Both fire on %3 of %4 tokens")
                                     .arg(i)
                                     .arg(j)
                                     .arg(QLocale().toString(qlonglong(layer.coActivationAt(i, j))),
                                          QLocale().toString(qlonglong(layer.tokens)));
        QCOMPARE(view.cellToolTip(true, 3, m + 5), expected);
        // The same text at that cell's pixel of the plot.
        const QPoint pixel(int(view.plot()->xAxis->coordToPixel(m + 5)),
                           int(view.plot()->yAxis->coordToPixel(3)));
        QCOMPARE(view.toolTipAt(view.plot(), pixel), expected);
        // The original-order map of the side-by-side plot names raw neuron ids.
        QVERIFY(view.cellToolTip(false, 3, 7).startsWith(QStringLiteral("Neurons 3 and 7")));
        QVERIFY(view.cellToolTip(true, layer.dFf, 0).isEmpty());
    }

    void highlightOutlinesTheBlock() {
        CoActivationHeatmap view;
        view.setProfile(m_profile);
        view.setPartitions({m_partition});
        view.highlightExpert(QStringLiteral("random"), 3, 2);
        QCOMPARE(view.currentLayer(), 3);
        QCOMPARE(view.currentPartition(), QStringLiteral("random"));
        QCOMPARE(view.highlightedExpert(), 2);
        const int m = view.expertSize();
        QCPItemRect* outline = nullptr;
        for (int i = 0; i < view.plot()->itemCount(); ++i) {
            if (auto* rect = qobject_cast<QCPItemRect*>(view.plot()->item(i))) {
                outline = rect;
            }
        }
        QVERIFY(outline && outline->visible());
        QCOMPARE(outline->topLeft->coords(), QPointF(2 * m - 0.5, 2 * m - 0.5));
        QCOMPARE(outline->bottomRight->coords(), QPointF(3 * m - 0.5, 3 * m - 0.5));
        // Another layer picked by the user drops the outline; an unknown partition clears it.
        view.setCurrentLayer(0);
        QCOMPARE(view.highlightedExpert(), -1);
        view.highlightExpert(QStringLiteral("random"), 0, 1);
        view.highlightExpert(QStringLiteral("no-such-partition"), 0, 1);
        QCOMPARE(view.highlightedExpert(), -1);
        QVERIFY(!outline->visible());
    }

    void sideBySideAndExport() {
        CoActivationHeatmap view;
        view.resize(1000, 600);
        view.setProfile(m_profile);
        view.setPartitions({m_partition});
        view.setCurrentPartition(QStringLiteral("random"));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setSideBySide(true);
        QVERIFY(view.sideBySidePlot()->isVisible());
        QVERIFY(!view.plot()->isVisible());
        QCOMPARE(view.sideBySidePlot()->axisRects().size(), 2);
        QCOMPARE(view.sideBySidePlot()->plottableCount(), 2);
        // Left: original order; right: expert order.
        const auto& layer = m_profile->layers[0];
        auto* left = qobject_cast<QCPColorMap*>(view.sideBySidePlot()->plottable(0));
        auto* right = qobject_cast<QCPColorMap*>(view.sideBySidePlot()->plottable(1));
        const int i = view.displayOrder()[1];
        const int j = view.displayOrder()[2];
        QVERIFY(cellMatches(left->data()->cell(2, 1), layer.coActivationAt(1, 2)));
        QVERIFY(cellMatches(right->data()->cell(2, 1), layer.coActivationAt(i, j)));

        const QList<Figure> figures = view.figures();
        QCOMPARE(figures.size(), 2);
        QCOMPARE(figures[0].name, QStringLiteral("coactivation"));
        QCOMPARE(figures[1].name, QStringLiteral("coactivation-side-by-side"));
        // The exported figures show the last layer: the one with a pair of neurons that never
        // fire together, so the "never" colour is checked too.
        view.setCurrentLayer(3);
        const auto& shown = m_profile->layers[3];
        QTemporaryDir dir;
        FigureExportOptions options;
        options.dpi = 150;
        std::vector<int> identity(std::size_t(shown.dFf));
        std::iota(identity.begin(), identity.end(), 0);
        const QString single = dir.filePath(QStringLiteral("coactivation.png"));
        {
            QCOMPARE(figures[0].widget, view.plot());
            const test::ExportedPlot exported(view.plot(), single, options);
            QVERIFY2(exported.ok(), qPrintable(exported.error()));
            QCOMPARE(exported.image().size(), FigureExporter::pixelSize(options));
            checkExportedCells(exported, view.colorMap(), shown, view.displayOrder());
        }
        {
            QCOMPARE(figures[1].widget, view.sideBySidePlot());
            const test::ExportedPlot exported(
                view.sideBySidePlot(), dir.filePath(QStringLiteral("side-by-side.png")), options);
            QVERIFY2(exported.ok(), qPrintable(exported.error()));
            checkExportedCells(exported, left, shown, identity);
            checkExportedCells(exported, right, shown, view.displayOrder());
        }
        if (qEnvironmentVariableIsSet("MOEWB_SCREENSHOT_DIR")) {
            const QString shots = qEnvironmentVariable("MOEWB_SCREENSHOT_DIR");
            view.grab().save(shots + "/coactivation-side-by-side.png");
            view.highlightExpert(QStringLiteral("random"), 0, 1);
            view.setSideBySide(false);
            view.plot()->replot();
            view.grab().save(shots + "/coactivation.png");
            QFile::copy(single, shots + "/coactivation-export.png");
        }
    }

    void redrawsALargeLayerQuickly() {
        // A real (untrained) model with d_ff 1024, as in the shipped model.
        torch::manual_seed(3);
        auto tokenizer = test::tinyTokenizer();
        TransformerConfig config = test::tinyConfig(tokenizer.vocabSize());
        config.dFf = 1024;
        config.encoderLayers = 1;
        config.decoderLayers = 1;
        NmtModel model(config, std::move(tokenizer));
        model.transformer()->eval();
        const auto profile = profileOf(model);
        const PartitionEntry partition = randomPartition(model, *profile, 16);

        CoActivationHeatmap view;
        view.resize(900, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QElapsedTimer timer;
        timer.start();
        view.setProfile(profile);
        view.setPartitions({partition});
        view.setCurrentPartition(QStringLiteral("random"));
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        const qint64 build = timer.elapsed();
        QCOMPARE(view.colorMap()->data()->keySize(), 1024);
        // Zooming redraws the cached image only.
        timer.restart();
        for (int k = 0; k < 5; ++k) {
            view.plot()->xAxis->scaleRange(0.8);
            view.plot()->yAxis->scaleRange(0.8);
            view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        }
        const qint64 zoom = timer.elapsed() / 5;
        qInfo("1024 × 1024: build and first draw %lld ms, zoomed redraw %lld ms", build, zoom);
        // Generous bounds: two shared cores under load.
        QVERIFY2(build < 3000, qPrintable(QString::number(build)));
        QVERIFY2(zoom < 400, qPrintable(QString::number(zoom)));
    }

private:
    // Every cell of an exported map, at row r (from the top, as in a matrix) and column c, is
    // drawn in the colour of its count C(order[r], order[c]): viridis over log10 of the count
    // from 0 (a count of 1) to log10 of the layer's largest firing count (FigureExporter's
    // heatGradient, CoActivationHeatmap.h), and pale grey for pairs that never fire together.
    // The ends are pinned by hand: the largest count is viridis' yellow, a count of 1 its purple.
    void checkExportedCells(const test::ExportedPlot& exported, QCPColorMap* map,
                            const LayerProfile& layer, const std::vector<int>& order) {
        const int n = layer.dFf;
        QCOMPARE(int(order.size()), n);
        const int64_t peak = *std::max_element(layer.activations.begin(), layer.activations.end());
        const QCPRange range(0.0, std::log10(double(peak)));
        QCPColorGradient gradient = FigureExporter::heatGradient();  // color() is not const
        auto expected = [&](int64_t count) {
            if (count == 0) {
                return QColor(238, 238, 238);
            }
            if (count == peak) {
                return QColor(253, 231, 37);
            }
            if (count == 1) {
                return QColor(68, 1, 84);
            }
            return QColor(gradient.color(std::log10(double(count)), range));
        };
        QCPAxis* x = map->keyAxis();
        QCPAxis* y = map->valueAxis();
        // Rows grow downwards: row 0 is drawn above row n - 1.
        QVERIFY(exported.pixelOf(x, y, 0, 0).y() < exported.pixelOf(x, y, 0, n - 1).y());
        int seenPeak = 0, seenZero = 0;
        for (int row = 0; row < n; ++row) {
            for (int column = 0; column < n; ++column) {
                const int64_t count =
                    layer.coActivationAt(order[std::size_t(row)], order[std::size_t(column)]);
                const QColor want = expected(count);
                const QColor seen = exported.colorAt(x, y, column, row);
                if (test::colorDistance(seen, want) > 6) {
                    QFAIL(qPrintable(QStringLiteral("cell (row %1, column %2), count %3: %4, "
                                                    "expected %5")
                                         .arg(row)
                                         .arg(column)
                                         .arg(count)
                                         .arg(test::colorText(seen), test::colorText(want))));
                }
                seenPeak += count == peak ? 1 : 0;
                seenZero += count == 0 ? 1 : 0;
            }
        }
        QVERIFY(seenPeak >= 1 && seenZero >= 1);  // both ends of the scale were looked at
    }

    std::shared_ptr<NmtModel> m_model;
    std::shared_ptr<const ProfileResult> m_profile;
    PartitionEntry m_partition;
};

QTEST_MAIN(TestCoActivationHeatmap)
#include "test_CoActivationHeatmap.moc"
