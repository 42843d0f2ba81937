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
#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

using namespace moewb;

namespace {

constexpr int kWaitMs = 10000;

}  // namespace

class TestTranslatorPanel : public QObject {
    Q_OBJECT

private slots:
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
        QVERIFY(m_panel->statusLabel()->text().contains("model"));
        QVERIFY(m_panel->sentences()->rowCount() >= 50);  // the built-in demo set

        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->setModel(m_artifacts.model);  // dense only: no partition yet
        QVERIFY(updated.wait(kWaitMs));
        QVERIFY(!m_panel->denseOutputLabel()->text().isEmpty());
        QCOMPARE(m_panel->shownK(), 0);
        QVERIFY(m_panel->statusLabel()->text().contains("partition"));
        QVERIFY(!m_panel->kSlider()->isEnabled());

        m_panel->setPartitions(m_artifacts.partitions);  // still no routers
        QVERIFY(updated.wait(kWaitMs));
        QVERIFY(m_panel->statusLabel()->text().contains("router"));
        QVERIFY(m_panel->kSlider()->isEnabled());
        QCOMPARE(m_panel->kSlider()->maximum(), 8);
    }

    void routersAreFilteredByPartition() {
        loadEverything();
        QCOMPARE(m_panel->routerCombo()->count(), 2);  // both trained for "kmeans"
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->partitionCombo()->setCurrentIndex(1);  // "random": no routers
        QCOMPARE(m_panel->routerCombo()->count(), 0);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 0);
        QVERIFY(m_panel->statusLabel()->text().contains("router"));
    }

    void movingTheSliderRetranslates() {
        loadEverything();
        m_panel->setSentence(QStringLiteral("Ein Hund rennt über die Wiese."),
                             QStringLiteral("A dog runs across the meadow."));
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->kSlider()->setValue(1);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 1);
        QVERIFY(!m_panel->moeOutputLabel()->text().isEmpty());
        QVERIFY(m_panel->moeTimeLabel()->text().contains("ms"));
        QVERIFY(m_panel->moeBleuLabel()->text().startsWith("BLEU: "));
        // The median of the interleaved rounds with its spread, e.g. "Speedup: ×1.31 ± 0.04".
        const QRegularExpression speedup(
            QStringLiteral("^Speedup: ×\\d+\\.\\d\\d ± \\d+\\.\\d\\d"));
        QVERIFY2(speedup.match(m_panel->speedupLabel()->text()).hasMatch(),
                 qPrintable(m_panel->speedupLabel()->text()));
        // Wall time and time per target token side by side.
        QVERIFY(m_panel->denseTimeLabel()->text().contains("ms/token"));
        QVERIFY(m_panel->moeTimeLabel()->text().contains("ms/token"));
        const QString denseOutput = m_panel->denseOutputLabel()->text();

        m_panel->kSlider()->setValue(3);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 3);
        QVERIFY(m_panel->moeBox()->title().contains("K = 3 of 8"));
        // Counted by hand (8 experts of 8 neurons, d 32, no shared neurons; the oracle router
        // computes every pre-activation, d·d_ff = 2 048 multiply-adds): (2·32·3·8 + 2 048) /
        // (2·32·64) = 87.5 %, not K/N = 37.5 %.
        QVERIFY2(m_panel->findChild<QLabel*>("flops")->text().contains("87.5 %"),
                 qPrintable(m_panel->findChild<QLabel*>("flops")->text()));
        // The dense translation does not depend on K; its time is taken again, interleaved with
        // the new MoE runs, since only times from the same rounds make a speed-up.
        QCOMPARE(m_panel->denseOutputLabel()->text(), denseOutput);
        QVERIFY(m_panel->denseTimeLabel()->text().contains("ms/token"));
        QVERIFY2(speedup.match(m_panel->speedupLabel()->text()).hasMatch(),
                 qPrintable(m_panel->speedupLabel()->text()));

        // Editing the reference rescores without translating again.
        updated.clear();
        m_panel->referenceEdit()->clear();
        QTest::keyClicks(m_panel->referenceEdit(), "x");
        QCOMPARE(updated.count(), 1);
        QVERIFY(!m_panel->isTranslating());
    }

    void allExpertsGiveTheDenseOutput() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->kSlider()->setValue(8);
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(m_panel->shownK(), 8);
        QVERIFY(!m_panel->denseOutputLabel()->text().isEmpty());
        QCOMPARE(m_panel->moeOutputLabel()->text(), m_panel->denseOutputLabel()->text());
        // Same output, same length: no separate per-token speed-up to show.
        QVERIFY(m_panel->speedupLabel()->text().contains(" ± "));
        QVERIFY(!m_panel->speedupLabel()->text().contains("per target token"));
    }

    void rapidMovesShowOnlyTheLastResult() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        for (int k = 1; k <= 6; ++k) {
            m_panel->kSlider()->setValue(k);
            QTest::qWait(30);  // faster than the debounce
        }
        QVERIFY(updated.wait(kWaitMs));
        QTest::qWait(300);  // time for a stray second result to show up
        QCOMPARE(updated.count(), 1);
        QCOMPARE(m_panel->shownK(), 6);
    }

    void aResultOvertakenByANewRequestIsDropped() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        {
            // Every worker is busy (nothing locks the model any more, so this is how a request
            // stays in flight), so the first request is still pending when K moves.
            std::atomic<bool> release{false};
            const int workers = std::max(2, QThread::idealThreadCount());
            for (int i = 0; i < workers; ++i) {
                m_jobs->start(QStringLiteral("busy"), [&release](Feedback&) {
                    while (!release) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    }
                });
            }
            m_panel->kSlider()->setValue(1);
            QTRY_VERIFY_WITH_TIMEOUT(m_panel->isTranslating(), kWaitMs);
            m_panel->kSlider()->setValue(5);
            QTest::qWait(300);
            QCOMPARE(updated.count(), 0);
            release = true;
        }
        QVERIFY(updated.wait(kWaitMs));
        QTest::qWait(300);
        QCOMPARE(updated.count(), 1);
        QCOMPARE(m_panel->shownK(), 5);
    }

    void dynamicModeShowsTheMeasuredCompute() {
        loadEverything();
        ActiveExpertsControl* control = m_panel->activeExperts();
        QCOMPARE(control->maxKSpinBox()->value(), 4);  // N/2
        QVERIFY(!control->maxKSpinBox()->isVisibleTo(m_panel.get()));
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        control->modeCombo()->setCurrentIndex(1);  // dynamic (τ)
        QVERIFY(control->isDynamic());
        QVERIFY(control->maxKSpinBox()->isVisibleTo(m_panel.get()));
        // The slider now sets τ in steps of 0.05 from 0.05 to 0.95.
        QCOMPARE(m_panel->kSlider()->minimum(), 1);
        QCOMPARE(m_panel->kSlider()->maximum(), ActiveExpertsControl::kTauSteps);
        m_panel->kSlider()->setValue(6);
        QCOMPARE(control->threshold(), 0.30);
        QCOMPARE(control->valueLabel()->text(), QStringLiteral("τ = 0.30, K ≤ 4 of 8"));
        QTRY_VERIFY_WITH_TIMEOUT(std::abs(m_panel->shownThreshold() - 0.30) < 1e-9, kWaitMs);
        QCOMPARE(m_panel->shownK(), 4);
        QVERIFY2(m_panel->shownCompute() > 0 && m_panel->shownCompute() < 1,
                 qPrintable(QString::number(m_panel->shownCompute())));
        // e.g. "compute 18.5 % · 1.73 experts per token"
        const QRegularExpression compute(
            QStringLiteral("^compute \\d+\\.\\d % · \\d\\.\\d\\d experts per token$"));
        QVERIFY2(compute.match(m_panel->moeComputeLabel()->text()).hasMatch(),
                 qPrintable(m_panel->moeComputeLabel()->text()));
        QVERIFY(m_panel->moeBox()->title().contains("τ 0.30"));
        QVERIFY(m_panel->findChild<QLabel*>("flops")->text().contains("τ = 0.30"));
        // The strip shows what each token ran: 1 … 4 of the 8 experts, never more.
        const auto& strip = m_panel->expertStrip()->strip();
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
        QCOMPARE(m_panel->kSlider()->maximum(), 8);
        QCOMPARE(m_panel->kSlider()->value(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->shownThreshold() == 0.0 && m_panel->shownK() == 2,
                                 kWaitMs);
        QVERIFY(m_panel->moeComputeLabel()->text().startsWith("compute "));
    }

    void theStripShowsLayersTimesTokens() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->kSlider()->setValue(3);
        QVERIFY(updated.wait(kWaitMs));
        ExpertStripPlot* strip = m_panel->expertStrip();
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
        m_panel->kSlider()->setValue(3);
        QVERIFY(updated.wait(kWaitMs));
        const QString before = m_panel->moeOutputLabel()->text();

        // A router file that does not fit its partition (one layer instead of four).
        auto routers = m_artifacts.routers;
        auto broken = std::make_shared<RouterSet>(*routers.front().set);
        broken->layers.resize(1);
        routers << RouterEntry{QStringLiteral("broken"), QStringLiteral("kmeans"), broken};
        m_panel->setRouters(routers);
        m_panel->routerCombo()->setCurrentIndex(m_panel->routerCombo()->findData("broken"));
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->statusLabel()->text().contains("failed"), kWaitMs);
        QCOMPARE(m_panel->moeOutputLabel()->text(), before);
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
        const int before = m_panel->sentences()->rowCount();
        m_panel->openParallelFile(tsv.fileName());
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(loaded.at(0).at(0).toInt(), 2);
        QCOMPARE(m_panel->sentences()->rowCount(), before + 2);
        const int row = m_panel->sentences()->find(QStringLiteral("Die Sonne scheint."));
        QCOMPARE(m_panel->sentences()->sentence(row).reference,
                 QStringLiteral("The sun is shining."));

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
        QVERIFY(m_panel->statusLabel()->text().contains("test.en"));
        QCOMPARE(m_panel->sentences()->rowCount(), before + 2);
    }

    void exportsItsFigures() {
        loadEverything();
        QSignalSpy updated(m_panel.get(), &TranslatorPanel::translationUpdated);
        m_panel->kSlider()->setValue(4);
        QVERIFY(updated.wait(kWaitMs));
        const auto figures = m_panel->figures();
        QCOMPARE(figures.size(), 2);
        QCOMPARE(figures[0].name, QStringLiteral("translator-experts"));
        QTemporaryDir dir;
        FigureExportOptions options;
        options.dpi = 96;
        for (const Figure& figure : figures) {
            const QString path = dir.filePath(figure.name + ".png");
            QString error;
            QVERIFY2(FigureExporter::exportFigure(figure, path, options, &error),
                     qPrintable(error));
            QImage image(path);
            QCOMPARE(image.size(), QSize(900, 600));
        }
        // Screenshots for looking at the views (MOEWB_SCREENSHOT_DIR, when set).
        const QString shots = qEnvironmentVariable("MOEWB_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            m_panel->grab().save(shots + "/translator-panel.png");
            FigureExporter::exportFigure(figures[0], shots + "/translator-experts.png", {},
                                         nullptr);
        }
    }

private:
    // Model, partitions and routers, with the first translation done.
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
