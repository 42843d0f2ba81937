// ProjectPanel: shows each step's status from a real session, says how long a step takes, keeps
// Run disabled while its inputs are missing, and runs a step through the session.
#include "JobRunner.h"
#include "ProjectPanel.h"
#include "ProjectSession.h"

#include "core/NmtTestSupport.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace moewb::gui;

class TestProjectPanel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        torch::set_num_threads(2);
        moewb::test::tinyModel()->save(m_dir.filePath("tiny.moewb").toStdString());
    }

    void showsStatusEstimatesAndRunsAStep() {
        JobRunner jobs;
        ProjectSession session(&jobs);
        ProjectPanel panel(&session);
        panel.show();
        using Step = ProjectSession::Step;
        // Nothing open: nothing can run.
        QVERIFY(!panel.runButton(Step::Profile)->isEnabled());
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(m_dir.filePath("p"), m_dir.filePath("tiny.moewb"));
        QVERIFY(opened.wait(20000));
        QVERIFY(panel.statusText(Step::Model).contains("tiny.moewb"));
        QVERIFY(panel.statusText(Step::Profile).contains("not run"));
        QVERIFY(panel.runButton(Step::Profile)->isEnabled());
        QVERIFY(panel.runButton(Step::Profile)->text().contains("about"));
        QVERIFY(panel.estimatedSeconds(Step::Profile) > 0);
        // Routers and sweeps need a partition / a router first.
        QVERIFY(!panel.runButton(Step::Routers)->isEnabled());
        QVERIFY(!panel.runButton(Step::Sweeps)->isEnabled());
        QVERIFY(!panel.runButton(Step::Finetune)->isEnabled());

        // Run a random partition of the tiny model's 64 neurons into 4 experts.
        panel.partitionMethod()->setCurrentIndex(panel.partitionMethod()->findData("random"));
        auto* experts = panel.findChildren<QComboBox*>().at(1);
        experts->setCurrentIndex(experts->findData(4));
        QSignalSpy finished(&session, &ProjectSession::stepFinished);
        panel.runButton(Step::Partitions)->click();
        QVERIFY(finished.wait(20000));
        QVERIFY(finished.last().at(1).toBool());
        QVERIFY(panel.statusText(Step::Partitions).contains("random"));
        QCOMPARE(panel.routerPartition()->count(), 1);
        QVERIFY(panel.runButton(Step::Routers)->isEnabled());
        QVERIFY(panel.runButton(Step::Partitions)->text().contains("Run again"));
        // Fine-tuning needs only a partition; its estimate is the time budget.
        QVERIFY(panel.runButton(Step::Finetune)->isEnabled());
        QVERIFY(panel.statusText(Step::Finetune).contains("not run"));
        QCOMPARE(panel.estimatedSeconds(Step::Finetune), 51 * 60.0);
    }

    void parsesTheDynamicThresholds() {
        QCOMPARE(ProjectPanel::parseThresholds(QString()), std::vector<double>());
        QCOMPARE(ProjectPanel::parseThresholds(QStringLiteral(" 0.3,0.4; 0.5 ")),
                 std::vector<double>({0.3, 0.4, 0.5}));
        QVERIFY(!ProjectPanel::parseThresholds(QStringLiteral("0.3, x")));
        JobRunner jobs;
        ProjectSession session(&jobs);
        ProjectPanel panel(&session);
        QVERIFY(panel.sweepThresholds()->isEnabled());
        auto* kind = panel.findChild<QComboBox*>("sweepKind");
        QCOMPARE(kind->findData("classic"), 1);
        kind->setCurrentIndex(1);
        QVERIFY(!panel.sweepThresholds()->isEnabled());  // the classic table runs fixed K only
    }
};

QTEST_MAIN(TestProjectPanel)
#include "test_ProjectPanel.moc"
