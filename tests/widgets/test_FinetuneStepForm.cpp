// FinetuneStepForm: the Fine-tune step's widgets give the step options the user chose, K defaults
// to N / 4 of the chosen partition, the name defaults to <partition>-ft, and Resume is offered
// (and ticked) only when the name has a checkpoint, whose trained time the estimate subtracts.
#include "FinetuneStepForm.h"
#include "JobRunner.h"
#include "ProjectSession.h"

#include "core/NmtTestSupport.h"

#include "moewb/project/Project.h"
#include "moewb/util/JsonFile.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace moewb::gui;

class TestFinetuneStepForm : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        torch::set_num_threads(2);
        moewb::test::tinyModel()->save(m_dir.filePath("tiny.moewb").toStdString());
    }

    void givesTheChosenOptions() {
        JobRunner jobs;
        ProjectSession session(&jobs);
        FinetuneStepForm form(&session);
        QCOMPARE(form.partitionBox()->count(), 0);
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(m_dir.filePath("p"), m_dir.filePath("tiny.moewb"));
        QVERIFY(opened.wait(20000));
        ProjectSession::PartitionStepOptions partition;
        partition.method = "random";
        partition.experts = 8;
        QSignalSpy finished(&session, &ProjectSession::stepFinished);
        QVERIFY(session.runPartition(partition) > 0);
        QVERIFY(finished.wait(20000));
        form.refresh();
        QCOMPARE(form.partitionBox()->count(), 1);

        // Defaults: K = N / 4, the CLI's weights, 50 minutes, Ding data, name <partition>-ft.
        auto options = form.stepOptions();
        QCOMPARE(options.partition, QStringLiteral("random"));
        QCOMPARE(form.kBox()->maximum(), 8);
        QCOMPARE(options.k, 2);
        QVERIFY(options.mixedK.isEmpty());
        QCOMPARE(options.timeBudgetMinutes, 50.0);
        QCOMPARE(options.kdWeight, 1.0);
        QCOMPARE(options.ceWeight, 0.5);
        QCOMPARE(options.mseWeight, 0.0);
        QCOMPARE(options.checkEvery, 100);
        QVERIFY(!options.resume);
        QVERIFY(options.trainSource.isEmpty() && options.trainTarget.isEmpty());
        QVERIFY(options.name.isEmpty());
        QCOMPARE(form.nameEdit()->placeholderText(), QStringLiteral("random-ft"));
        QCOMPARE(FinetuneSession::modelName(options), QStringLiteral("random-ft"));
        QVERIFY(!form.resumeBox()->isEnabled());
        QCOMPARE(form.estimatedSeconds(), 50 * 60.0 + 60.0);

        // Every widget reaches the options.
        form.kBox()->setValue(3);
        form.mixedKEdit()->setText("1,2,4");
        form.budgetBox()->setValue(5);
        form.kdWeightBox()->setValue(0.8);
        form.ceWeightBox()->setValue(0.25);
        form.mseWeightBox()->setValue(1.5);
        form.checkEveryBox()->setValue(0);
        form.nameEdit()->setText("mine");
        form.setParallelFiles("/data/train.de", "/data/train.en");
        options = form.stepOptions();
        QCOMPARE(options.k, 3);
        QCOMPARE(options.mixedK, QStringLiteral("1,2,4"));
        QCOMPARE(options.timeBudgetMinutes, 5.0);
        QCOMPARE(options.kdWeight, 0.8);
        QCOMPARE(options.ceWeight, 0.25);
        QCOMPARE(options.mseWeight, 1.5);
        QCOMPARE(options.checkEvery, 0);
        QCOMPARE(options.name, QStringLiteral("mine"));
        QCOMPARE(options.trainSource, QStringLiteral("/data/train.de"));
        QCOMPARE(options.trainTarget, QStringLiteral("/data/train.en"));
        QCOMPARE(form.dataBox()->currentText(), QStringLiteral("train.de + train.en"));
        // And through finetuneOptions into the core options.
        QString error;
        const auto core = FinetuneSession::finetuneOptions(options, 8, 4, "/c", &error);
        QVERIFY2(core, qPrintable(error));
        QCOMPARE(core->layerK, std::vector<int>(4, 3));
        QCOMPARE(core->mixedK, (std::vector<int>{1, 2, 4}));
        QCOMPARE(core->timeBudgetSeconds, 300.0);
        QCOMPARE(core->mseWeight, 1.5);
        // Back to the Ding sentences.
        form.setParallelFiles({}, {});
        QVERIFY(form.stepOptions().trainSource.isEmpty());
        QCOMPARE(form.dataBox()->currentIndex(), 0);
    }

    void offersResumeOnlyWithACheckpoint() {
        JobRunner jobs;
        ProjectSession session(&jobs);
        FinetuneStepForm form(&session);
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(m_dir.filePath("r"), m_dir.filePath("tiny.moewb"));
        QVERIFY(opened.wait(20000));
        form.nameEdit()->setText("tuned");
        QVERIFY(!form.resumeBox()->isEnabled());
        QVERIFY(!form.stepOptions().resume);
        // A checkpoint as MoeFinetuner leaves it: step 7 after 90 s of training.
        const QString dir =
            QString::fromStdString(session.project()->finetuneCheckpointDir("tuned"));
        QVERIFY(QDir().mkpath(dir));
        moewb::writeJsonFile(QDir(dir).filePath("state.json").toStdString(),
                             {{"step", 7},
                              {"seconds", 90.0},
                              {"epoch", 1},
                              {"batch", 7},
                              {"curve", {{7, 90.0, 4, 2.5, 1.0, 3.0, 0.0, 12.5, 1000.0}}}},
                             "moewb-finetune-state", 1);
        form.refresh();
        QVERIFY(form.resumeBox()->isEnabled());
        QVERIFY(form.resumeBox()->isChecked());  // ticked when the checkpoint appears
        QVERIFY2(form.resumeBox()->text().contains("7"), qPrintable(form.resumeBox()->text()));
        QVERIFY(form.stepOptions().resume);
        // The estimate is what is left of the budget.
        QCOMPARE(form.estimatedSeconds(), 50 * 60.0 - 90.0 + 60.0);
        form.resumeBox()->setChecked(false);
        QVERIFY(!form.stepOptions().resume);
        // Another name has no checkpoint.
        form.nameEdit()->setText("other");
        QVERIFY(!form.resumeBox()->isEnabled());
        QVERIFY(!form.stepOptions().resume);
        const auto saved = FinetuneSession::savedRun(dir);
        QVERIFY(saved);
        QCOMPARE(saved->step, qint64(7));
        QCOMPARE(int(saved->curve.size()), 1);
        QCOMPARE(saved->curve[0].bleu, 12.5);
    }
};

QTEST_MAIN(TestFinetuneStepForm)
#include "test_FinetuneStepForm.moc"
