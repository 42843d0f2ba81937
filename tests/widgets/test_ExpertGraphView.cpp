// ExpertGraphView on a real profile and real partitions of the tiny model: the hints, the
// inter-expert weights, the Graphviz layout, the threshold, node sizes, clicking a node and the
// export.
#include "core/NmtTestSupport.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/Profiler.h"

#include "ExpertGraphView.h"
#include "JobRunner.h"

#include "widgets/FigureTestSupport.h"

#include "QCustomPlotHeader.h"

#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace moewb::gui;

using namespace moewb;

namespace {

PartitionEntry partitionOf(NmtModel& model, const ProfileResult& profile, const char* method,
                           int experts) {
    Feedback feedback;
    ModelPartitionOptions options;
    options.method = method;
    options.numExperts = experts;
    PartitionEntry entry;
    entry.name = QString::fromLatin1(method);
    entry.set =
        std::make_shared<const PartitionSet>(partitionModel(model, &profile, options, feedback));
    return entry;
}

}  // namespace

class TestExpertGraphView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_model = test::tinyModel();
        Feedback feedback;
        m_profile = std::make_shared<const ProfileResult>(
            profileModel(*m_model, test::sixteenPairs(), ProfileOptions{}, feedback));
        m_random = partitionOf(*m_model, *m_profile, "random", 8);
        m_metis = partitionOf(*m_model, *m_profile, "metis", 8);
    }

    void hintsSayWhatIsMissing() {
        ExpertGraphView view;
        view.resize(700, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto* hint = view.findChild<QLabel*>(QStringLiteral("emptyHint"));
        QVERIFY(hint->isVisible());
        QVERIFY(hint->text().contains(QStringLiteral("Profile step")));
        if (qEnvironmentVariableIsSet("MOEWB_SCREENSHOT_DIR")) {
            view.grab().save(qEnvironmentVariable("MOEWB_SCREENSHOT_DIR") + "/empty.png");
        }
        view.setProfile(m_profile);
        QVERIFY(hint->isVisible());
        QVERIFY(hint->text().contains(QStringLiteral("Partition step")));
        QVERIFY(view.figures().isEmpty());
        QCOMPARE(view.currentLayer(), -1);
        view.setPartitions({m_random});
        QVERIFY(!hint->isVisible());
        QCOMPARE(view.figures().size(), 1);
    }

    // With a runner the weights and the layout are prepared on a worker: "preparing…" meanwhile,
    // only the newest of quick layer changes is shown, and what arrives is what the GUI thread
    // would have built.
    void aRunnerPreparesTheGraphOffTheGuiThread() {
        JobRunner jobs;
        ExpertGraphView direct, prepared;
        prepared.setJobRunner(&jobs);
        QSignalSpy shown(&prepared, &ExpertGraphView::graphShown);
        for (ExpertGraphView* view : {&direct, &prepared}) {
            view->setProfile(m_profile);
            view->setPartitions({m_metis});
        }
        QVERIFY(prepared.isPreparing());
        const auto* info = prepared.findChild<QLabel*>(QStringLiteral("graphInfo"));
        QVERIFY2(info->text().contains(QStringLiteral("preparing")), qPrintable(info->text()));
        QTRY_VERIFY(!prepared.isPreparing());
        QCOMPARE(shown.count(), 1);

        prepared.setCurrentLayer(1);
        prepared.setCurrentLayer(3);  // overtakes layer 1 before it arrives
        direct.setCurrentLayer(3);
        QVERIFY(prepared.isPreparing());
        QTRY_VERIFY(!jobs.isBusy());
        QCOMPARE(shown.count(), 2);
        QCOMPARE(prepared.currentLayer(), 3);
        QCOMPARE(info->text(), direct.findChild<QLabel*>(QStringLiteral("graphInfo"))->text());
        const int n = direct.expertCount();
        QCOMPARE(prepared.expertCount(), n);
        for (int e = 0; e < n; ++e) {
            QCOMPARE(prepared.activationMass(e), direct.activationMass(e));
            for (int f = 0; f < n; ++f) {
                QCOMPARE(prepared.edgeWeight(e, f), direct.edgeWeight(e, f));
            }
        }
        QCOMPARE(prepared.visibleEdgeCount(), direct.visibleEdgeCount());
        QCOMPARE(prepared.plot()->graphCount(), n);
    }

    void weightsAreInterExpertCoActivation() {
        ExpertGraphView view;
        view.setProfile(m_profile);
        view.setPartitions({m_random, m_metis});
        view.setCurrentPartition(QStringLiteral("random"));
        view.setCurrentLayer(1);
        const auto& layer = m_profile->layers[1];
        const ExpertPartition& partition = m_random.set->layers[1];
        const int n = partition.numExperts;
        QCOMPARE(view.expertCount(), n);
        // Σ_{i∈e, j∈f} C_ij, normalised by the strongest pair.
        std::vector<double> sums(std::size_t(n * n), 0.0);
        double strongest = 0.0;
        for (int e = 0; e < n; ++e) {
            for (int f = 0; f < n; ++f) {
                for (int i : partition.experts[e]) {
                    for (int j : partition.experts[f]) {
                        sums[std::size_t(e * n + f)] += double(layer.coActivationAt(i, j));
                    }
                }
                strongest = e != f ? std::max(strongest, sums[std::size_t(e * n + f)]) : strongest;
            }
        }
        double largest = 0.0;
        for (int e = 0; e < n; ++e) {
            QCOMPARE(view.edgeWeight(e, e), 0.0);
            double mass = 0.0;
            for (int i : partition.experts[e]) {
                mass += double(layer.activations[i]);
            }
            QCOMPARE(view.activationMass(e), mass);
            for (int f = 0; f < n; ++f) {
                if (e != f) {
                    QVERIFY(std::abs(view.edgeWeight(e, f) - sums[e * n + f] / strongest) < 1e-12);
                    QCOMPARE(view.edgeWeight(e, f), view.edgeWeight(f, e));
                    largest = std::max(largest, view.edgeWeight(e, f));
                }
            }
        }
        QCOMPARE(largest, 1.0);
        QCOMPARE(view.plot()->graphCount(), n);  // one node per expert
    }

    void thresholdHidesWeakEdgesOnly() {
        ExpertGraphView view;
        view.setProfile(m_profile);
        view.setPartitions({m_metis});
        const int n = view.expertCount();
        int positive = 0;
        for (int e = 0; e < n; ++e) {
            for (int f = e + 1; f < n; ++f) {
                positive += view.edgeWeight(e, f) > 0.0 ? 1 : 0;
            }
        }
        view.setEdgeThreshold(0.0);
        QCOMPARE(view.visibleEdgeCount(), positive);
        view.setEdgeThreshold(0.5);
        int strong = 0;
        for (int e = 0; e < n; ++e) {
            for (int f = e + 1; f < n; ++f) {
                strong += view.edgeWeight(e, f) >= 0.5 ? 1 : 0;
            }
        }
        QCOMPARE(view.visibleEdgeCount(), strong);
        view.setEdgeThreshold(1.0);
        QVERIFY(view.visibleEdgeCount() >= 1);
        QVERIFY(view.visibleEdgeCount() <= strong);
    }

    void graphvizPutsLinkedExpertsClose() {
        ExpertGraphView view;
        view.resize(800, 800);
        view.setProfile(m_profile);
        view.setPartitions({m_metis});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(!view.findChild<QLabel*>(QStringLiteral("graphInfo"))
                     ->text()
                     .contains(QStringLiteral("circle")));
        const int n = view.expertCount();
        int strongE = 0, strongF = 1, weakE = 0, weakF = 1;
        for (int e = 0; e < n; ++e) {
            for (int f = e + 1; f < n; ++f) {
                if (view.edgeWeight(e, f) > view.edgeWeight(strongE, strongF)) {
                    strongE = e, strongF = f;
                }
                if (view.edgeWeight(e, f) < view.edgeWeight(weakE, weakF)) {
                    weakE = e, weakF = f;
                }
            }
        }
        auto distance = [&](int e, int f) {
            const QPointF d = view.nodePixelPosition(e) - view.nodePixelPosition(f);
            return std::hypot(d.x(), d.y());
        };
        QVERIFY(distance(strongE, strongF) < distance(weakE, weakF));
        for (int e = 0; e < n; ++e) {
            QVERIFY(view.plot()->axisRect()->rect().contains(view.nodePixelPosition(e).toPoint()));
        }
    }

    void clickingANodeEmitsExpertClicked() {
        ExpertGraphView view;
        view.resize(800, 700);
        view.setProfile(m_profile);
        view.setPartitions({m_random, m_metis});
        view.setCurrentPartition(QStringLiteral("metis"));
        view.setCurrentLayer(2);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QSignalSpy spy(&view, &ExpertGraphView::expertClicked);
        const QPoint centre = view.nodePixelPosition(3).toPoint();
        QCOMPARE(view.expertAt(centre), 3);
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, centre);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy[0][0].toString(), QStringLiteral("metis"));
        QCOMPARE(spy[0][1].toInt(), 2);
        QCOMPARE(spy[0][2].toInt(), 3);
        QCOMPARE(view.selectedExpert(), 3);
        // A click on empty space selects nothing.
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(spy.count(), 1);
        QVERIFY(view.expertToolTip(3).startsWith(QStringLiteral("Expert E3: ")));
    }

    void nodeSizeFollowsTheChoice() {
        ExpertGraphView view;
        view.setProfile(m_profile);
        view.setPartitions({m_random});
        view.setNodeSize(ExpertGraphView::NodeSize::Neurons);
        const double first = view.plot()->graph(0)->scatterStyle().size();
        for (int e = 1; e < view.expertCount(); ++e) {
            QCOMPARE(view.plot()->graph(e)->scatterStyle().size(), first);  // equal experts
        }
        view.setNodeSize(ExpertGraphView::NodeSize::ActivationMass);
        int largest = 0, smallest = 0;
        for (int e = 1; e < view.expertCount(); ++e) {
            largest = view.activationMass(e) > view.activationMass(largest) ? e : largest;
            smallest = view.activationMass(e) < view.activationMass(smallest) ? e : smallest;
        }
        QVERIFY(view.activationMass(largest) > view.activationMass(smallest));
        QVERIFY(view.plot()->graph(largest)->scatterStyle().size() >
                view.plot()->graph(smallest)->scatterStyle().size());
    }

    void exportsTheGraph() {
        ExpertGraphView view;
        view.resize(800, 650);
        view.setProfile(m_profile);
        view.setPartitions({m_metis});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QList<Figure> figures = view.figures();
        QCOMPARE(figures.size(), 1);
        QCOMPARE(figures[0].name, QStringLiteral("expert-graph"));
        QCOMPARE(figures[0].widget, view.plot());
        QTemporaryDir dir;
        FigureExportOptions options;
        options.dpi = 150;
        const double scale = options.dpi / 96.0;
        const QString path = dir.filePath(QStringLiteral("expert-graph.png"));
        {
            const test::ExportedPlot exported(view.plot(), path, options);
            QVERIFY2(exported.ok(), qPrintable(exported.error()));
            const QImage& image = exported.image();
            QCOMPARE(image.size(), FigureExporter::pixelSize(options));
            // Every node is drawn where the layout put it (nodePixelPosition, laid out at the
            // export size) in its expert's palette colour, unless a later node covers it.
            const int n = view.expertCount();
            auto radius = [&](int e) { return view.plot()->graph(e)->scatterStyle().size() / 2; };
            int checked = 0;
            for (int e = 0; e < n; ++e) {
                const QPointF centre = view.nodePixelPosition(e);
                bool covered = false;
                for (int f = e + 1; f < n; ++f) {
                    const QPointF d = view.nodePixelPosition(f) - centre;
                    covered = covered || std::hypot(d.x(), d.y()) < radius(f) + 3;
                }
                if (covered) {
                    continue;
                }
                const QColor seen = image.pixelColor((centre * scale).toPoint());
                QVERIFY2(
                    test::colorDistance(seen, FigureExporter::color(e)) <= 12,
                    qPrintable(QStringLiteral("expert %1: %2").arg(e).arg(test::colorText(seen))));
                ++checked;
            }
            QVERIFY2(checked >= n / 2, qPrintable(QString::number(checked)));
            // The strongest edge (weight 1, drawn at 90 % opacity) darkens the white between its
            // two nodes where no node or node label covers it.
            int strongE = 0, strongF = 1;
            for (int e = 0; e < n; ++e) {
                for (int f = e + 1; f < n; ++f) {
                    if (view.edgeWeight(e, f) > view.edgeWeight(strongE, strongF)) {
                        strongE = e, strongF = f;
                    }
                }
            }
            QCOMPARE(view.edgeWeight(strongE, strongF), 1.0);
            const QPointF a = view.nodePixelPosition(strongE);
            const QPointF b = view.nodePixelPosition(strongF);
            int darkPoints = 0, freePoints = 0;
            for (double t = 0.1; t < 0.95; t += 0.1) {
                const QPointF p = a + t * (b - a);
                bool free = true;
                for (int e = 0; e < n; ++e) {
                    const QPointF d = view.nodePixelPosition(e) - p;
                    free = free && std::hypot(d.x(), d.y()) > radius(e) + 20;
                }
                if (free) {
                    ++freePoints;
                    darkPoints += test::colorDistance(image.pixelColor((p * scale).toPoint()),
                                                      Qt::white) > 100
                                      ? 1
                                      : 0;
                }
            }
            QVERIFY2(freePoints >= 1, "the strongest edge is hidden behind nodes");
            QCOMPARE(darkPoints, freePoints);
        }
        if (qEnvironmentVariableIsSet("MOEWB_SCREENSHOT_DIR")) {
            const QString shots = qEnvironmentVariable("MOEWB_SCREENSHOT_DIR");
            view.setNodeSize(ExpertGraphView::NodeSize::ActivationMass);
            view.selectExpert(2);
            view.grab().save(shots + "/expert-graph.png");
            QFile::copy(path, shots + "/expert-graph-export.png");
        }
    }

private:
    std::shared_ptr<NmtModel> m_model;
    std::shared_ptr<const ProfileResult> m_profile;
    PartitionEntry m_random;
    PartitionEntry m_metis;
};

QTEST_MAIN(TestExpertGraphView)
#include "test_ExpertGraphView.moc"
