// GateAccuracyView on routers trained on the tiny model: the hint when empty, bars and lines that
// carry exactly the routers' held-out quality, the K and layer controls, the table, the expert
// load (or "not measured" for router files without it), and PNG export.
#include "ExpertLoadPlot.h"
#include "GateAccuracyView.h"
#include "ResultsTestSupport.h"

#include "QCustomPlotHeader.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QImage>
#include <QSpinBox>
#include <QTest>

#include <cmath>

using namespace moewb::gui;

class TestGateAccuracyView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        m_moe = moewb::test::tinyMoe(8);
        m_routers = {moewb::test::routerEntry(m_moe, "mlp", "kmeans-mlp"),
                     moewb::test::routerEntry(m_moe, "similarity", "kmeans-similarity")};
    }

    void emptyViewShowsTheHint() {
        GateAccuracyView view;
        QVERIFY(view.isShowingHint());
        QCOMPARE(view.layersPlot()->plottableCount(), 0);
        QCOMPARE(view.recallPlot()->graphCount(), 0);
        QStringList names;
        for (const auto& figure : view.figures()) {
            names << figure.name;
            QVERIFY(figure.widget != nullptr);
        }
        QCOMPARE(names,
                 QStringList({"gate-accuracy-layers", "gate-recall-vs-k", "gate-expert-load"}));
        view.setRouters({m_routers[0]});
        QVERIFY(!view.isShowingHint());
        view.setRouters({});
        QVERIFY(view.isShowingHint());
        QCOMPARE(view.layersPlot()->plottableCount(), 0);
    }

    void barsShowRecallAndCoveragePerLayer() {
        GateAccuracyView view;
        view.setRouters(m_routers);
        QCOMPARE(view.k(), 2);  // N / 4 for N = 8
        QCOMPARE(view.kSpinBox()->maximum(), 8);
        // Two routers × (recall, mass coverage).
        QCOMPARE(view.layersPlot()->plottableCount(), 4);
        QCOMPARE(view.layersPlot()->axisRects().size(), 2);
        auto checkBars = [&](int k) {
            for (int r = 0; r < 2; ++r) {
                const auto& quality = m_routers[r].set->quality;
                for (int metric = 0; metric < 2; ++metric) {
                    auto* bars = qobject_cast<QCPBars*>(
                        view.layersPlot()->plottable(metric == 0 ? r : 2 + r));
                    QVERIFY(bars);
                    QCOMPARE(bars->name(), m_routers[r].name);
                    QCOMPARE(bars->data()->size(), int(quality.size()));
                    for (int l = 0; l < int(quality.size()); ++l) {
                        const auto& values =
                            metric == 0 ? quality[l].recall : quality[l].massCoverage;
                        QCOMPARE((bars->data()->constBegin() + l)->key, double(l));
                        QCOMPARE((bars->data()->constBegin() + l)->value, values[k - 1]);
                    }
                }
            }
        };
        checkBars(2);
        view.kSpinBox()->setValue(5);
        checkBars(5);
        QVERIFY(view.layersPlot()->axisRects()[0]->axis(QCPAxis::atLeft)->label().contains("5"));
    }

    void recallLinesFollowTheLayerChoice() {
        GateAccuracyView view;
        view.setRouters(m_routers);
        QCOMPARE(view.recallLayer(), -1);
        QCOMPARE(view.layerCombo()->count(), 1 + 4);
        // One line per router and the random-choice baseline.
        QCOMPARE(view.recallPlot()->graphCount(), 3);
        for (int r = 0; r < 2; ++r) {
            const auto& quality = m_routers[r].set->quality;
            QCPGraph* graph = view.recallPlot()->graph(r);
            QCOMPARE(graph->data()->size(), 8);
            for (int k = 1; k <= 8; ++k) {
                double mean = 0;
                for (const auto& layer : quality) {
                    mean += layer.recall[k - 1] / quality.size();
                }
                QCOMPARE((graph->data()->constBegin() + (k - 1))->value, mean);
            }
        }
        QCOMPARE(view.recallPlot()->graph(2)->data()->at(3)->value, 4.0 / 8.0);
        view.layerCombo()->setCurrentIndex(3);  // layer index 2
        QCOMPARE(view.recallLayer(), 2);
        const auto& layer2 = m_routers[1].set->quality[2].recall;
        for (int k = 1; k <= 8; ++k) {
            QCOMPARE(view.recallPlot()->graph(1)->data()->at(k - 1)->value, layer2[k - 1]);
        }
        QStringList names;
        for (const auto& name : m_moe.layerNames) {
            names << QString::fromStdString(name);
        }
        view.setLayerNames(names);
        QCOMPARE(view.layerCombo()->itemText(1), QStringLiteral("enc 1"));
        QCOMPARE(view.layerCombo()->itemText(3), QStringLiteral("dec 1"));
        QCOMPARE(view.recallLayer(), 2);  // the choice survives new names
    }

    void tableListsEveryLayerAndTheMean() {
        GateAccuracyView view;
        QAbstractItemModelTester tester(view.tableModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setRouters(m_routers);
        QAbstractItemModel* model = view.tableModel();
        QCOMPARE(model->rowCount(), 2 * (4 + 1));
        QCOMPARE(model->columnCount(), 4);
        QCOMPARE(model->headerData(2, Qt::Horizontal).toString(), QStringLiteral("Recall@2"));
        const auto& quality = m_routers[1].set->quality;
        // Rows 5…9 are the second router: four layers, then the mean.
        QCOMPARE(model->index(5, 0).data().toString(), m_routers[1].name);
        QCOMPARE(model->index(6, 2).data(Qt::UserRole).toDouble(), quality[1].recall[1]);
        QCOMPARE(model->index(6, 3).data(Qt::UserRole).toDouble(), quality[1].massCoverage[1]);
        QCOMPARE(model->index(6, 2).data().toString(),
                 QString::number(quality[1].recall[1], 'f', 3));
        QCOMPARE(model->index(9, 1).data().toString(), QStringLiteral("mean"));
        view.setK(8);
        // At K = N every router picks every expert: recall and coverage are 1.
        QCOMPARE(model->index(9, 2).data(Qt::UserRole).toDouble(), 1.0);
        QCOMPARE(model->index(9, 3).data(Qt::UserRole).toDouble(), 1.0);
    }

    void loadShowsTheSharesOfThePickedRouterLayerAndK() {
        GateAccuracyView view;
        view.setRouters(m_routers);
        QStringList names;
        for (const auto& name : m_moe.layerNames) {
            names << QString::fromStdString(name);
        }
        view.setLayerNames(names);
        ExpertLoadPlot* plot = view.loadPlot();
        QCOMPARE(view.loadRouterCombo()->count(), 2);
        QCOMPARE(view.loadLayerCombo()->count(), 4);
        view.loadRouterCombo()->setCurrentIndex(1);
        view.loadLayerCombo()->setCurrentIndex(2);
        view.setK(3);
        const auto& quality = m_routers[1].set->quality[2];
        QCOMPARE(int(quality.load.size()), 8);  // measured at every K (else nothing to show)
        QVERIFY(plot->isMeasured());
        const auto& shares = quality.load[2];
        QCOMPARE(plot->loadBars()->data()->size(), 8);
        double sum = 0;
        for (int e = 0; e < 8; ++e) {
            QCOMPARE(plot->loadBars()->data()->at(e)->key, double(e + 1));
            QCOMPARE(plot->loadBars()->data()->at(e)->value, shares[std::size_t(e)]);
            sum += shares[std::size_t(e)];
        }
        QVERIFY(std::abs(sum - 3.0) < 1e-6);  // every token runs K = 3 experts
        // The CV of every layer at K, the picked one apart.
        QCOMPARE(plot->cvBars()->data()->size() + 1, 4);
        QCOMPARE(plot->currentCv(), quality.loadCv[2]);
        const QString title = plot->titleText();
        QVERIFY2(title.contains("kmeans-similarity") && title.contains("dec 1") &&
                     title.contains("K = 3") &&
                     title.contains("CV " + QString::number(quality.loadCv[2], 'f', 2)),
                 qPrintable(title));
    }

    void aRouterFileWithoutLoadSaysSo() {
        // Router files written before load was measured have none.
        RouterEntry old = m_routers[0];
        auto set = std::make_shared<moewb::RouterSet>(*old.set);
        for (auto& quality : set->quality) {
            quality.load.clear();
            quality.loadCv.clear();
        }
        old.set = set;
        GateAccuracyView view;
        view.setRouters({old});
        QVERIFY(!view.loadPlot()->isMeasured());
        QVERIFY(std::isnan(view.loadPlot()->currentCv()));
        QCOMPARE(view.loadPlot()->loadBars()->data()->size(), 0);
        QVERIFY2(view.loadPlot()->titleText().contains("not measured (re-run the Routers step)"),
                 qPrintable(view.loadPlot()->titleText()));
        // Recall and coverage still show.
        QVERIFY(view.layersPlot()->plottableCount() > 0);
    }

    void figuresExportAsPng() {
        GateAccuracyView view;
        view.resize(1100, 700);
        view.setRouters(m_routers);
        QString error;
        const auto images = moewb::test::exportedPngs(view.figures(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(images.size(), 3);
        for (const QImage& image : images) {
            QCOMPARE(image.size(), QSize(900, 600));
            QVERIFY(moewb::test::colourCount(image) > 8);  // drawn, not a blank page
        }
    }

private:
    moewb::test::TinyMoe m_moe;
    QList<RouterEntry> m_routers;
};

QTEST_MAIN(TestGateAccuracyView)
#include "test_GateAccuracyView.moc"
