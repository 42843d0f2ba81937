// TranslatorPanel on the tiny model with a real k-means partition and trained routers: the
// slider retranslates on the worker, only the newest request is shown, K = N equals dense, the
// strip fills, failures keep the previous output, parallel files load, figures export.
#include "widgets/TranslatorTestSupport.h"

#include "ActiveExpertsControl.h"
#include "DemoSentenceModel.h"
#include "ExpertStripPlot.h"
#include "FigureExporter.h"
#include "JobRunner.h"
#include "TranslatorPanel.h"

#include "widgets/FigureTestSupport.h"
#include "widgets/TranslatorPanelParts.h"

#include <QComboBox>
#include <QGroupBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <thread>

using namespace moewb::gui;

using namespace moewb;

namespace {

constexpr int kWaitMs = 10000;

}  // namespace

class TestTranslatorPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(1);
        m_artifacts =
            test::makeMoeArtifacts(8, {QStringLiteral("kmeans"), QStringLiteral("random")});
    }

    void init() {
        m_jobs = std::make_unique<JobRunner>();
        m_panel = std::make_unique<TranslatorPanel>(m_jobs.get());
        m_panel->resize(1100, 760);
    }

    void cleanup() {
        m_panel.reset();
        m_jobs.reset();
    }

    void saysWhatToRunFirst() {
        QVERIFY(parts().statusLabel->text().contains("model"));
        QVERIFY(parts().sentences->rowCount() >= 50);  // the built-in demo set

        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->setModel(m_artifacts.model);  // dense only: no partition yet
        QVERIFY(updated.wait(kWaitMs));
        QVERIFY(!parts().denseOutputLabel->text().isEmpty());
        QCOMPARE(m_panel->shownK(), 0);
        QVERIFY(parts().statusLabel->text().contains("partition"));
        QVERIFY(!parts().kSlider->isEnabled());

        m_panel->setPartitions(m_artifacts.partitions);  // still no routers
        QVERIFY(updated.wait(kWaitMs));
        QVERIFY(parts().statusLabel->text().contains("router"));
        QVERIFY(parts().kSlider->isEnabled());
        QCOMPARE(parts().kSlider->maximum(), 8);
    }

    void routersAreFilteredByPartition() {
        loadEverything();
        QCOMPARE(parts().routerCombo->count(), 2);  // both trained for "kmeans"
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        parts().partitionCombo->setCurrentIndex(1);  // "random": no routers
        QCOMPARE(parts().routerCombo->count(), 0);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 0);
        QVERIFY(parts().statusLabel->text().contains("router"));
    }

    void movingTheSliderRetranslates() {
        loadEverything();
        m_panel->setSentence(QStringLiteral("Ein Hund rennt über die Wiese."),
                             QStringLiteral("A dog runs across the meadow."));
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        parts().kSlider->setValue(1);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 1);
        QVERIFY(!parts().moeOutputLabel->text().isEmpty());
        QVERIFY(parts().moeTimeLabel->text().contains("ms"));
        QVERIFY(parts().moeBleuLabel->text().startsWith("BLEU: "));
        // The median of the interleaved rounds with its spread, e.g. "Speedup: ×1.31 ± 0.04".
        const QRegularExpression speedup(
            QStringLiteral("^Speedup: ×\\d+\\.\\d\\d ± \\d+\\.\\d\\d"));
        QVERIFY2(speedup.match(parts().speedupLabel->text()).hasMatch(),
                 qPrintable(parts().speedupLabel->text()));
        // Wall time and time per target token side by side.
        QVERIFY(parts().denseTimeLabel->text().contains("ms/token"));
        QVERIFY(parts().moeTimeLabel->text().contains("ms/token"));
        const QString denseOutput = parts().denseOutputLabel->text();

        parts().kSlider->setValue(3);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 3);
        QVERIFY(parts().moeBox->title().contains("K = 3 of 8"));
        // Counted by hand (8 experts of 8 neurons, d 32, no shared neurons; the oracle router
        // computes every pre-activation, d·d_ff = 2 048 multiply-adds): (2·32·3·8 + 2 048) /
        // (2·32·64) = 87.5 %, not K/N = 37.5 %.
        QVERIFY2(parts().flopsLabel->text().contains("87.5 %"),
                 qPrintable(parts().flopsLabel->text()));
        // The dense translation does not depend on K; its time is taken again, interleaved with
        // the new MoE runs, since only times from the same rounds make a speed-up.
        QCOMPARE(parts().denseOutputLabel->text(), denseOutput);
        QVERIFY(parts().denseTimeLabel->text().contains("ms/token"));
        QVERIFY2(speedup.match(parts().speedupLabel->text()).hasMatch(),
                 qPrintable(parts().speedupLabel->text()));

        // Editing the reference rescores without translating again.
        updated.clear();
        parts().referenceEdit->clear();
        QTest::keyClicks(parts().referenceEdit, "x");
        QCOMPARE(updated.count(), 1);
        QVERIFY(!m_panel->isTranslating());
    }

    void allExpertsGiveTheDenseOutput() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        parts().kSlider->setValue(8);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 8);
        QVERIFY(!parts().denseOutputLabel->text().isEmpty());
        QCOMPARE(parts().moeOutputLabel->text(), parts().denseOutputLabel->text());
        // Same output, same length: no separate per-token speed-up to show.
        QVERIFY(parts().speedupLabel->text().contains(" ± "));
        QVERIFY(!parts().speedupLabel->text().contains("per target token"));
    }

    // Debounce: moves in quick succession start exactly one translation, of the last K, and
    // only after the debounce interval. No wall clock: the moves come with no event processed
    // in between, so no timer can fire among them however slow the machine is.
    void rapidMovesShowOnlyTheLastResult() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        QSignalSpy started(m_jobs.get(), &JobRunner::started);
        auto* debounce = m_panel->findChild<QTimer*>(QStringLiteral("translationDebounce"));
        QVERIFY(debounce);
        for (int k = 1; k <= 6; ++k) {
            parts().kSlider->setValue(k);
        }
        QCOMPARE(started.count(), 0);  // waiting for the edits to settle
        QVERIFY(debounce->isActive());
        QVERIFY(updated.wait(kWaitMs));
        // Settled: no job running and nothing scheduled, so no further result can come.
        QTRY_VERIFY_WITH_TIMEOUT(!m_jobs->isBusy() && !debounce->isActive(), kWaitMs);
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(1).toString(), QStringLiteral("Translating"));
        QCOMPARE(updated.count(), 1);
        QCOMPARE(m_panel->shownK(), 6);
    }

    // A request still queued when K moves again is cancelled (it never runs) and its answer
    // never shown; the newer request's is, once.
    void aResultOvertakenByANewRequestIsDropped() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        QSignalSpy cancelled(m_jobs.get(), &JobRunner::cancelled);
        QSignalSpy succeeded(m_jobs.get(), &JobRunner::succeeded);
        // Every worker is busy (nothing locks the model any more, so this is how a request
        // stays in flight), so the first request is still pending when K moves.
        auto release = std::make_shared<std::atomic<bool>>(false);
        const int workers = std::max(2, QThread::idealThreadCount());
        for (int i = 0; i < workers; ++i) {
            m_jobs->start(QStringLiteral("busy"), [release](Feedback&) {
                while (!release->load()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                }
            });
        }
        QSignalSpy started(m_jobs.get(), &JobRunner::started);
        parts().kSlider->setValue(1);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->isTranslating(), kWaitMs);
        QCOMPARE(started.count(), 1);
        const int first = started.at(0).at(0).toInt();
        parts().kSlider->setValue(5);
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 2, kWaitMs);  // the second request, queued
        const int second = started.at(1).at(0).toInt();
        QCOMPARE(updated.count(), 0);  // nothing could run yet
        release->store(true);

        QVERIFY(updated.wait(kWaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(!m_jobs->isBusy(), kWaitMs);
        QCOMPARE(updated.count(), 1);
        QCOMPARE(m_panel->shownK(), 5);
        QList<int> cancelledIds, succeededIds;
        for (const auto& signal : cancelled) {
            cancelledIds << signal.at(0).toInt();
        }
        for (const auto& signal : succeeded) {
            succeededIds << signal.at(0).toInt();
        }
        QVERIFY(cancelledIds.contains(first));
        QVERIFY(!succeededIds.contains(first));
        QVERIFY(succeededIds.contains(second));
    }

    void dynamicModeShowsTheMeasuredCompute() {
        loadEverything();
        ActiveExpertsControl* control = parts().activeExperts;
        QCOMPARE(control->maxKSpinBox()->value(), 4);  // N/2
        QVERIFY(!control->maxKSpinBox()->isVisibleTo(m_panel.get()));
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        control->modeCombo()->setCurrentIndex(1);  // dynamic (τ)
        QVERIFY(control->isDynamic());
        QVERIFY(control->maxKSpinBox()->isVisibleTo(m_panel.get()));
        // The slider now sets τ in steps of 0.05 from 0.05 to 0.95.
        QCOMPARE(parts().kSlider->minimum(), 1);
        QCOMPARE(parts().kSlider->maximum(), ActiveExpertsControl::kTauSteps);
        parts().kSlider->setValue(6);
        QCOMPARE(control->threshold(), 0.30);
        QCOMPARE(control->valueLabel()->text(), QStringLiteral("τ = 0.30, K ≤ 4 of 8"));
        QTRY_VERIFY_WITH_TIMEOUT(std::abs(m_panel->shownThreshold() - 0.30) < 1e-9, kWaitMs);
        QCOMPARE(m_panel->shownK(), 4);
        QVERIFY2(m_panel->shownCompute() > 0 && m_panel->shownCompute() < 1,
                 qPrintable(QString::number(m_panel->shownCompute())));
        // e.g. "compute 18.5 % · 1.73 experts per token"
        const QRegularExpression compute(
            QStringLiteral("^compute \\d+\\.\\d % · \\d\\.\\d\\d experts per token$"));
        QVERIFY2(compute.match(parts().moeComputeLabel->text()).hasMatch(),
                 qPrintable(parts().moeComputeLabel->text()));
        QVERIFY(parts().moeBox->title().contains("τ 0.30"));
        QVERIFY(parts().flopsLabel->text().contains("τ = 0.30"));
        // The strip shows what each token ran: 1 … 4 of the 8 experts, never more.
        const auto& strip = parts().expertStrip->strip();
        QCOMPARE(strip.threshold, 0.30);
        for (const auto& layer : strip.layers) {
            for (const auto& token : layer) {
                QVERIFY(!token.empty() && token.size() <= 4);
            }
        }
        // The most experts retranslates; back to fixed mode restores K and the slider range.
        control->setMaxK(8);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->shownK() == 8, kWaitMs);
        control->modeCombo()->setCurrentIndex(0);
        QCOMPARE(parts().kSlider->maximum(), 8);
        QCOMPARE(parts().kSlider->value(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->shownThreshold() == 0.0 && m_panel->shownK() == 2,
                                 kWaitMs);
        QVERIFY(parts().moeComputeLabel->text().startsWith("compute "));
    }

    void theStripShowsLayersTimesTokens() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        parts().kSlider->setValue(3);
        QVERIFY(updated.wait(kWaitMs));
        ExpertStripPlot* strip = parts().expertStrip;
        QVERIFY(strip->hasStrip());
        const auto& data = strip->strip();
        QCOMPARE(data.layers.size(), std::size_t(4));
        QCOMPARE(strip->encoderMap()->data()->keySize(), int(data.sourceTokens.size()));
        QCOMPARE(strip->encoderMap()->data()->valueSize(), 2 * 8);
        QVERIFY(strip->decoderMap()->data()->keySize() >= 2);
        // Exactly K cells per token and layer are filled.
        int filled = 0;
        for (int x = 0; x < strip->encoderMap()->data()->keySize(); ++x) {
            for (int y = 0; y < 8; ++y) {
                filled += strip->encoderMap()->data()->cell(x, y) > 0 ? 1 : 0;
            }
        }
        QCOMPARE(filled, 3 * int(data.sourceTokens.size()));
    }

    void aFailedJobKeepsThePreviousOutput() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        parts().kSlider->setValue(3);
        QVERIFY(updated.wait(kWaitMs));
        const QString before = parts().moeOutputLabel->text();

        // A router file that does not fit its partition (one layer instead of four).
        auto routers = m_artifacts.routers;
        auto broken = std::make_shared<RouterSet>(*routers.front().set);
        broken->layers.resize(1);
        routers << RouterEntry{QStringLiteral("broken"), QStringLiteral("kmeans"), broken};
        m_panel->setRouters(routers);
        parts().routerCombo->setCurrentIndex(parts().routerCombo->findData("broken"));
        QTRY_VERIFY_WITH_TIMEOUT(parts().statusLabel->text().contains("failed"), kWaitMs);
        QCOMPARE(parts().moeOutputLabel->text(), before);
        QCOMPARE(m_panel->shownK(), 3);
    }

    void opensParallelFiles() {
        QTemporaryDir dir;
        QFile tsv(dir.filePath("pairs.tsv"));
        QVERIFY(tsv.open(QIODevice::WriteOnly));
        tsv.write("Ein Hund bellt.\tA dog barks.\nDie Sonne scheint.\tThe sun is shining.\n");
        tsv.close();
        QSignalSpy loaded(m_panel.get(), &TranslatorPanel::parallelFileLoaded);
        QSignalSpy failed(m_panel.get(), &TranslatorPanel::parallelFileFailed);
        const int before = parts().sentences->rowCount();
        m_panel->openParallelFile(tsv.fileName());
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(loaded.at(0).at(0).toInt(), 2);
        QCOMPARE(parts().sentences->rowCount(), before + 2);
        const int row = parts().sentences->find(QStringLiteral("Die Sonne scheint."));
        QCOMPARE(parts().sentences->sentence(row).reference, QStringLiteral("The sun is shining."));

        // Moses-style files of unequal length: the error names both files.
        QFile de(dir.filePath("test.de")), en(dir.filePath("test.en"));
        QVERIFY(de.open(QIODevice::WriteOnly) && en.open(QIODevice::WriteOnly));
        de.write("Eins.\nZwei.\n");
        en.write("One.\n");
        de.close();
        en.close();
        m_panel->openParallelFile(de.fileName(), en.fileName());
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY(failed.at(0).at(0).toString().contains("test.en"));
        QVERIFY(parts().statusLabel->text().contains("test.en"));
        QCOMPARE(parts().sentences->rowCount(), before + 2);
    }

    void exportsItsFigures() {
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        parts().kSlider->setValue(4);
        QVERIFY(updated.wait(kWaitMs));
        const auto figures = m_panel->figures();
        QCOMPARE(figures.size(), 2);
        QCOMPARE(figures[0].name, QStringLiteral("translator-experts"));
        ExpertStripPlot* strip = parts().expertStrip;
        QCOMPARE(figures[0].widget, strip);
        QTemporaryDir dir;
        FigureExportOptions options;
        options.dpi = 96;
        {
            const test::ExportedPlot exported(strip, dir.filePath("translator-experts.png"),
                                              options);
            QVERIFY2(exported.ok(), qPrintable(exported.error()));
            QCOMPARE(exported.image().size(), QSize(900, 600));
            checkStripCells(strip, [&](QCPAxis* x, QCPAxis* y, int column, int row) {
                return exported.colorAt(x, y, column, row);
            });
        }
        // The whole panel, drawn as a widget scaled to the figure: its strip shows the same
        // cells where the strip sits in the panel.
        const QString path = dir.filePath("translator-panel.png");
        QString error;
        QVERIFY2(FigureExporter::exportFigure(figures[1], path, options, &error),
                 qPrintable(error));
        const QImage panel(path);
        QCOMPARE(panel.size(), QSize(900, 600));
        strip->replot(QCustomPlot::rpImmediateRefresh);  // laid out at its on-screen size
        const double sx = 900.0 / m_panel->width();
        const double sy = 600.0 / m_panel->height();
        checkStripCells(strip, [&](QCPAxis* x, QCPAxis* y, int column, int row) {
            const QPointF inStrip(x->coordToPixel(column), y->coordToPixel(row));
            const QPointF inPanel = strip->mapTo(m_panel.get(), inStrip);
            return panel.pixelColor(int(inPanel.x() * sx), int(inPanel.y() * sy));
        });
        // Screenshots for looking at the views (MOEWB_SCREENSHOT_DIR, when set).
        const QString shots = qEnvironmentVariable("MOEWB_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            m_panel->grab().save(shots + "/translator-panel.png");
            FigureExporter::exportFigure(figures[0], shots + "/translator-experts.png", {},
                                         nullptr);
        }
    }

    // The compute label comes from core for every partition kind. An importance partition of
    // the tiny model (d_ff 64, d 32) with 16 shared neurons and 4 experts of 12, and a similarity
    // router (N·d = 128 multiply-adds a token of 2·32·64 = 4 096), counted by hand:
    // K = 1 is (16 + 12) / 64 + 128 / 4096 = 46.875 %, K = 3 is (16 + 36) / 64 + 3.125 % =
    // 84.375 %; K/N alone would say 25 % and 75 %.
    void computeLabelCountsSharedNeurons() {
        NmtModel& model = *m_artifacts.model.model;
        Feedback feedback;
        ModelPartitionOptions options;
        options.method = "importance";
        options.numExperts = 4;
        options.sharedNeurons = 16;
        options.importanceTokens = 200;
        auto set = std::make_shared<PartitionSet>(
            partitionModel(model, nullptr, test::sixteenPairs(), options, feedback));
        PartitionEntry partition{QStringLiteral("importance"), set, buildExperts(model, *set)};
        QCOMPARE(partition.experts.front()->expertSize(), 12);
        RouterTrainingOptions routerOptions;
        routerOptions.kind = "similarity";
        auto routers = std::make_shared<RouterSet>(trainRouters(
            partition.experts, collectFfnInputs(model, test::sixteenPairs(), 100000, feedback),
            routerOptions, feedback));
        routers->partition = "importance";

        m_panel->setModel(m_artifacts.model);
        m_panel->setPartitions({partition});
        m_panel->setRouters({RouterEntry{QStringLiteral("importance-similarity"),
                                         QStringLiteral("importance"), routers}});
        auto* flops = parts().flopsLabel;
        parts().kSlider->setValue(1);
        QVERIFY2(flops->text().contains(QStringLiteral("46.9 % of dense (K = 1 of 4")),
                 qPrintable(flops->text()));
        parts().kSlider->setValue(3);
        QVERIFY2(flops->text().contains(QStringLiteral("84.4 % of dense (K = 3 of 4")),
                 qPrintable(flops->text()));
        QTRY_VERIFY_WITH_TIMEOUT(!m_jobs->isBusy(), kWaitMs);
    }

private:
    // Each cell of the strip (ExpertStripPlot.h) at token t, row l·N + e of its side is filled
    // in layer l's palette colour when layer l ran expert e for token t, and idle grey
    // (242, 242, 242) otherwise. `colorAt` reads a cell of the drawn figure.
    void checkStripCells(ExpertStripPlot* plot,
                         const std::function<QColor(QCPAxis*, QCPAxis*, int, int)>& colorAt) {
        const auto& data = plot->strip();
        const int n = data.numExperts;
        QCOMPARE(n, 8);
        int fired = 0;
        for (int layer = 0; layer < int(data.layers.size()); ++layer) {
            const bool encoder = layer < data.encoderLayers;
            QCPColorMap* map = encoder ? plot->encoderMap() : plot->decoderMap();
            const int sideLayer = encoder ? layer : layer - data.encoderLayers;
            const auto& tokens = data.layers[std::size_t(layer)];
            for (int t = 0; t < int(tokens.size()); ++t) {
                for (int e = 0; e < n; ++e) {
                    const auto& ran = tokens[std::size_t(t)];
                    const bool on = std::find(ran.begin(), ran.end(), e) != ran.end();
                    const QColor want = on ? FigureExporter::color(layer) : QColor(242, 242, 242);
                    const QColor seen =
                        colorAt(map->keyAxis(), map->valueAxis(), t, sideLayer * n + e);
                    if (test::colorDistance(seen, want) > 12) {
                        QFAIL(qPrintable(QStringLiteral("layer %1, token %2, expert %3: %4, "
                                                        "expected %5")
                                             .arg(layer)
                                             .arg(t)
                                             .arg(e)
                                             .arg(test::colorText(seen), test::colorText(want))));
                    }
                    fired += on ? 1 : 0;
                }
            }
        }
        QVERIFY(fired > 0);
    }

    // Model, partitions and routers, with the first translation done.
    test::TranslatorPanelParts parts() const { return test::TranslatorPanelParts(*m_panel); }

    void loadEverything() {
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->setModel(m_artifacts.model);
        m_panel->setPartitions(m_artifacts.partitions);
        m_panel->setRouters(m_artifacts.routers);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 2);  // a quarter of the 8 experts to start with
    }

    test::MoeArtifacts m_artifacts;
    std::unique_ptr<JobRunner> m_jobs;
    std::unique_ptr<TranslatorPanel> m_panel;
};

QTEST_MAIN(TestTranslatorPanel)
#include "test_TranslatorPanel.moc"
