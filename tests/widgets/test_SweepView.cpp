// SweepView on real sweeps of the default model: hints when empty, the run signals, line plots that
// carry exactly the sweep's numbers, the checked-sweep filter, grid sweeps as heatmap or
// diagonal, the classic comparison tab, and PNG export of every figure.
#include "ResultsTestSupport.h"
#include "SweepComparisonPanel.h"
#include "SweepTableModel.h"
#include "SweepView.h"

#include "QCustomPlotHeader.h"

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

using namespace moewb::gui;

namespace {

QStringList figureNames(const SweepView& view) {
    QStringList names;
    for (const auto& figure : view.figures()) {
        names << figure.name;
    }
    return names;
}

}  // namespace

class TestSweepView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        m_moe = moewb::test::defaultModelMoe(4);
        const auto routers = moewb::test::routerEntry(m_moe, "similarity", "kmeans-similarity");
        m_sweep = moewb::test::sweepEntry(m_moe, routers, "kmeans-similarity", false);
        m_grid = moewb::test::sweepEntry(m_moe, routers, "kmeans-grid", true, 6);
        m_comparison = moewb::test::comparisonEntry(m_moe, routers, "classic");
    }

    void emptyViewShowsHintsAndAsksForRuns() {
        SweepView view;
        QVERIFY(view.isShowingSweepHint());
        QVERIFY(view.comparisonPanel()->isShowingHint());
        QCOMPARE(figureNames(view),
                 QStringList({"sweep-bleu", "sweep-time", "sweep-speedup", "comparison"}));
        QSignalSpy sweepSpy(&view, &SweepView::runSweepRequested);
        QSignalSpy comparisonSpy(&view, &SweepView::runComparisonRequested);
        auto* runSweep = view.findChild<QPushButton*>("runSweep");
        auto* runComparison = view.findChild<QPushButton*>("runComparison");
        QVERIFY(runSweep && runComparison);
        QCOMPARE(runSweep->text(), QStringLiteral("Run sweep…"));
        QTest::mouseClick(runSweep, Qt::LeftButton);
        QCOMPARE(sweepSpy.count(), 1);
        QCOMPARE(comparisonSpy.count(), 0);
        QTest::mouseClick(runComparison, Qt::LeftButton);
        QCOMPARE(comparisonSpy.count(), 1);
        QVERIFY(!view.findChild<QPushButton*>("exportCsv")->isEnabled());
    }

    void linePlotsCarryTheSweep() {
        SweepView view;
        view.setSweeps({m_sweep});
        QVERIFY(!view.isShowingSweepHint());
        const auto& result = *m_sweep.result;
        // The sweep, its dense reference and the legend key for dense; speedup: the sweep and
        // the 1× line.
        QCOMPARE(view.bleuPlot()->graphCount(), 3);
        QCOMPARE(view.timePlot()->graphCount(), 3);
        QCOMPARE(view.bleuPlot()->graph(2)->dataCount(), 0);
        QCOMPARE(view.bleuPlot()->legend->itemCount(), 2);
        QCOMPARE(view.speedupPlot()->graphCount(), 2);
        // Each K its own BLEU, so a point drawn at the wrong K fails below.
        QVERIFY(result.rows[0].bleu != result.rows[1].bleu ||
                result.rows[1].bleu != result.rows[2].bleu);
        QVERIFY(result.dense.bleu > 10);
        QCPGraph* bleu = view.bleuPlot()->graph(0);
        QCOMPARE(bleu->name(), m_sweep.name);
        QCOMPARE(bleu->data()->size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(bleu->data()->at(i)->key, double(result.rows[i].encoderK));
            QCOMPARE(bleu->data()->at(i)->value, result.rows[i].bleu);
            QCOMPARE(view.timePlot()->graph(0)->data()->at(i)->value, result.rows[i].seconds);
            QCOMPARE(view.speedupPlot()->graph(0)->data()->at(i)->value, result.rows[i].speedup);
        }
        // The speedup's spread as error bars on the sweep's line.
        QCOMPARE(view.speedupPlot()->plottableCount(), 3);
        QCPErrorBars* bars = nullptr;
        for (int p = 0; p < view.speedupPlot()->plottableCount(); ++p) {
            if (auto* found = qobject_cast<QCPErrorBars*>(view.speedupPlot()->plottable(p))) {
                bars = found;
            }
        }
        QVERIFY(bars);
        QCOMPARE(bars->dataPlottable(), view.speedupPlot()->graph(0));
        QCOMPARE(bars->dataCount(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(bars->data()->at(i).errorPlus, result.rows[i].speedupSpread);
        }
        QCPGraph* dense = view.bleuPlot()->graph(1);
        QCOMPARE(dense->data()->size(), 2);
        QCOMPARE(dense->data()->at(0)->value, result.dense.bleu);
        QCOMPARE(dense->data()->at(1)->key, 4.0);
        QCOMPARE(view.timePlot()->graph(1)->data()->at(0)->value, result.dense.seconds);
        QCOMPARE(view.speedupPlot()->graph(1)->data()->at(0)->value, 1.0);
        QCOMPARE(view.tableModel()->rowCount(), 4);
        QVERIFY(view.findChild<QPushButton*>("exportCsv")->isEnabled());

        QTemporaryDir dir;
        QString error;
        QVERIFY2(view.exportCsv(dir.filePath("t.csv"), &error), qPrintable(error));
        QFile file(dir.filePath("t.csv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), view.tableModel()->toCsv());

        view.setSweepChecked(m_sweep.name, false);
        QCOMPARE(view.checkedSweeps(), QStringList());
        QCOMPARE(view.bleuPlot()->graphCount(), 0);
        QCOMPARE(view.tableModel()->rowCount(), 0);
        QVERIFY(!view.findChild<QPushButton*>("exportCsv")->isEnabled());
        // A reload keeps what the user unchecked.
        view.setSweeps({m_sweep, m_grid});
        QCOMPARE(view.checkedSweeps(), QStringList({m_grid.name}));
    }

    void gridSweepsAsHeatmapOrDiagonal() {
        SweepView view;
        view.setSweeps({m_sweep, m_grid});
        QCOMPARE(view.gridMode(), SweepView::GridMode::Heatmap);
        QVERIFY(!view.gridPlot()->isHidden());
        QVERIFY(figureNames(view).contains("sweep-grid-bleu"));
        // Lines: only the plain sweep; the grid is in the heatmap (and the table).
        QCOMPARE(view.bleuPlot()->graphCount(), 3);
        QCOMPARE(view.tableModel()->rowCount(), 4 + 5);
        auto* map = qobject_cast<QCPColorMap*>(view.gridPlot()->plottable(0));
        QVERIFY(map);
        QCOMPARE(map->data()->keySize(), 2);     // encoder K 1, 4
        QCOMPARE(map->data()->valueSize(), 2);   // decoder K 2, 4
        const auto& rows = m_grid.result->rows;  // (1,2) (1,4) (4,2) (4,4)
        // A transposed heatmap swaps (1,4) and (4,2): they must differ for the check to bite.
        QVERIFY2(rows[1].bleu != rows[2].bleu, "encoder K 1 / decoder K 4 scored as 4 / 2");
        QCOMPARE(map->data()->cell(0, 0), rows[0].bleu);
        QCOMPARE(map->data()->cell(0, 1), rows[1].bleu);
        QCOMPARE(map->data()->cell(1, 0), rows[2].bleu);
        QCOMPARE(map->data()->cell(1, 1), rows[3].bleu);
        QCOMPARE(view.gridPlot()->itemCount(), 4);  // a value label per cell

        view.setGridMode(SweepView::GridMode::Diagonal);
        QVERIFY(view.gridPlot()->isHidden());
        QVERIFY(!figureNames(view).contains("sweep-grid-bleu"));
        QCOMPARE(view.bleuPlot()->graphCount(), 5);
        QCPGraph* diagonal = view.bleuPlot()->graph(2);
        QCOMPARE(diagonal->name(), m_grid.name);
        QCOMPARE(diagonal->data()->size(), 1);  // only encoder K = decoder K = 4
        QCOMPARE(diagonal->data()->at(0)->value, rows[3].bleu);
        QCOMPARE(view.tableModel()->rowCount(), 4 + 2);

        // Only the grid checked, as a heatmap: the line plots give way.
        view.setGridMode(SweepView::GridMode::Heatmap);
        view.setSweepChecked(m_sweep.name, false);
        QVERIFY(view.bleuPlot()->isHidden());
        QVERIFY(!view.gridPlot()->isHidden());
    }

    void classicComparisonAsTableAndPlot() {
        SweepView view;
        view.setComparisons({m_comparison});
        QVERIFY(!view.comparisonPanel()->isShowingHint());
        const auto& table = *m_comparison.table;
        QStandardItemModel* model = view.comparisonPanel()->model();
        QCOMPARE(model->rowCount(), 3);
        // Sentences; dense time and BLEU; time, BLEU and speedup per K.
        QCOMPARE(model->columnCount(), 1 + 2 + 2 * 3);
        QCOMPARE(model->item(2, 0)->text(), QStringLiteral("6"));
        QCOMPARE(model->item(1, 4)->text(), QString::number(table.cells[1][1].bleu, 'f', 1));
        QCOMPARE(model->horizontalHeaderItem(5)->text(), QStringLiteral("K = 1 speedup"));
        QCOMPARE(model->horizontalHeaderItem(6)->text(), QStringLiteral("K = 2 time (s)"));
        const auto& cell = table.cells[1][2];
        QCOMPARE(cell.rounds, 2);
        QCOMPARE(model->item(1, 8)->text(), "×" + QString::number(cell.speedup, 'f', 2) + " ± " +
                                                QString::number(cell.speedupSpread, 'f', 2));
        QVERIFY(model->item(1, 8)->toolTip().contains("Per target token"));
        // Time and BLEU lines for dense, K = 1 and K = 2.
        QCustomPlot* plot = view.comparisonPlot();
        QCOMPARE(plot->graphCount(), 6);
        QCOMPARE(plot->legend->itemCount(), 3);
        for (int c = 0; c < 3; ++c) {
            QCPGraph* time = plot->graph(2 * c);
            QCPGraph* bleu = plot->graph(2 * c + 1);
            QCOMPARE(time->data()->size(), 3);
            for (int s = 0; s < 3; ++s) {
                QCOMPARE(time->data()->at(s)->key, double(table.sentenceCounts[s]));
                QCOMPARE(time->data()->at(s)->value, table.cells[s][c].seconds);
                QCOMPARE(bleu->data()->at(s)->value, table.cells[s][c].bleu);
            }
        }
        view.setComparisons({});
        QVERIFY(view.comparisonPanel()->isShowingHint());
        QCOMPARE(plot->graphCount(), 0);
    }

    void figuresExportAsPng() {
        SweepView view;
        view.resize(1280, 800);
        view.setSweeps({m_sweep, m_grid});
        view.setComparisons({m_comparison});
        QString error;
        const auto images = moewb::test::exportedPngs(view.figures(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(images.size(), 5);
        for (const QImage& image : images) {
            QCOMPARE(image.size(), QSize(900, 600));
            QVERIFY(moewb::test::colourCount(image) > 8);  // drawn, not a blank page
        }
    }

private:
    moewb::test::TinyMoe m_moe;
    SweepEntry m_sweep, m_grid;
    ComparisonEntry m_comparison;
};

QTEST_MAIN(TestSweepView)
#include "test_SweepView.moc"
