// MainWindow: construction offscreen, the About box, the status-bar job display and the embedded
// icon and Chinese translation.
#include "AboutBox.h"
#include "JobRunner.h"
#include "MainWindow.h"
#include "OverviewView.h"

#include "moewb/util/Feedback.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QIcon>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTranslator>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using namespace moewb::gui;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        // Keep the user's real settings (geometry) out of the test.
        QStandardPaths::setTestModeEnabled(true);
    }

    void constructsAndShows() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), QStringLiteral("MoE Workbench"));
        const QStringList views = {"overview",     "translator",    "sparsity", "coactivation",
                                   "expert-graph", "gate-accuracy", "sweeps",   "finetune"};
        QCOMPARE(window.tabs()->count(), views.size());
        for (int i = 0; i < views.size(); ++i) {
            QCOMPARE(window.tabs()->widget(i)->objectName(), views[i]);
            QVERIFY(!window.tabs()->tabToolTip(i).isEmpty());
        }
        QCOMPARE(window.tabs()->tabText(0), QStringLiteral("Overview"));
        QVERIFY(window.projectPanel() != nullptr);
        QVERIFY(window.overview() != nullptr);
        // Idle: no progress bar, no Cancel button.
        QVERIFY(!window.findChild<QProgressBar*>(QStringLiteral("jobProgress"))->isVisible());
        QVERIFY(!window.findChild<QToolButton*>(QStringLiteral("jobCancel"))->isVisible());
        // Every step starts honest: nothing computed.
        for (int i = 0; i < OverviewView::kStepCount; ++i) {
            const auto step = static_cast<OverviewView::Step>(i);
            QCOMPARE(window.overview()->stepState(step), OverviewView::StepState::NotComputed);
        }
        window.overview()->setStepState(OverviewView::Step::Profile, OverviewView::StepState::Done,
                                        QStringLiteral("6 layers"));
        QCOMPARE(window.overview()->stepStatusText(OverviewView::Step::Profile),
                 QStringLiteral("Done: 6 layers"));
    }

    void aboutShowsTheLibraryVersions() {
        const QString text = AboutBox::text();
        QVERIFY2(text.contains(QString::fromLatin1(qVersion())), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("LibTorch 1.")));
        QVERIFY(text.contains(QStringLiteral("METIS 5.")));
        QVERIFY(text.contains(QStringLiteral("QCustomPlot 2.")));

        // Through the menu: the dialog really opens with that text.
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QString shown;
        QTimer::singleShot(0, this, [&shown] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (box != nullptr) {
                shown = box->text();
                box->accept();
            }
        });
        window.findChild<QAction*>(QStringLiteral("actionAbout"))->trigger();
        QCOMPARE(shown, text);
    }

    void statusBarFollowsTheRunningJob() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* progress = window.findChild<QProgressBar*>(QStringLiteral("jobProgress"));
        auto* cancel = window.findChild<QToolButton*>(QStringLiteral("jobCancel"));
        auto* label = window.findChild<QLabel*>(QStringLiteral("jobLabel"));
        QSignalSpy cancelled(window.jobRunner(), &JobRunner::cancelled);

        auto running = std::make_shared<std::atomic<bool>>(false);
        window.jobRunner()->start(QStringLiteral("Profiling"),
                                  [running](moewb::Feedback& feedback) {
                                      feedback.setProgress(0.25, "layer 2 of 6");
                                      running->store(true);
                                      for (;;) {
                                          feedback.throwIfCancelled();
                                          std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                      }
                                  });
        QTRY_VERIFY(running->load());
        QTRY_COMPARE(progress->value(), 250);
        QVERIFY(progress->isVisible());
        QVERIFY(cancel->isVisible());
        QCOMPARE(label->text(), QStringLiteral("Profiling: layer 2 of 6"));

        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_COMPARE(cancelled.count(), 1);
        QVERIFY(!progress->isVisible());
        QVERIFY(!cancel->isVisible());
    }

    void iconIsEmbedded() {
        QVERIFY(QFile::exists(QStringLiteral(":/icons/moe-workbench.svg")));
        QVERIFY(!QIcon(QStringLiteral(":/icons/moe-workbench.svg")).pixmap(64, 64).isNull());
    }

    void chineseTranslationLoads() {
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/moe-workbench_zh_CN.qm")));
        QVERIFY(!translator.isEmpty());
        QCOMPARE(translator.language(), QStringLiteral("zh_CN"));
        QVERIFY(QCoreApplication::installTranslator(&translator));
        {
            MainWindow window;
            QVERIFY(window.tabs()->tabText(0) != QStringLiteral("Overview"));
            QVERIFY(!window.tabs()->tabText(0).isEmpty());
            QVERIFY(window.windowTitle() != QStringLiteral("MoE Workbench"));
        }
        QCoreApplication::removeTranslator(&translator);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_MainWindow.moc"
