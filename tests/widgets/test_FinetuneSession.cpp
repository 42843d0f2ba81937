// FinetuneSession: the step's choices become the right core FinetuneOptions (and bad ones a
// message); on the tiny model, a fine-tune streams its points, writes models/NAME.moewb and
// routers/NAME-mlp.json only when it succeeds, adds the router with the fine-tuned model's own
// experts (also when the project is opened again), refuses to start over on a checkpoint without
// Resume, resumes it, and leaves the project untouched when cancelled.
#include "FinetuneSession.h"
#include "JobRunner.h"
#include "ProjectSession.h"

#include "core/NmtTestSupport.h"

#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/project/Project.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace moewb::gui;

namespace {

using Step = ProjectSession::Step;

bool waitForStep(ProjectSession& session, int timeoutMs = 120000) {
    QSignalSpy finished(&session, &ProjectSession::stepFinished);
    if (!finished.wait(timeoutMs)) {
        return false;
    }
    return finished.last().at(1).toBool();
}

}  // namespace

class TestFinetuneSession : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_modelPath;
    QString m_train;  // prefix of train.de / train.en: the sixteen pairs
    QString m_long;   // prefix of long.de / long.en: enough pairs for a run worth cancelling

    // A project on the tiny model with a random partition of 4 experts per layer.
    void openWithPartition(ProjectSession& session, const QString& folder) {
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(m_dir.filePath(folder), m_modelPath);
        QVERIFY(opened.wait(20000));
        ProjectSession::PartitionStepOptions partition;
        partition.method = "random";
        partition.experts = 4;
        QVERIFY(session.runPartition(partition) > 0);
        QVERIFY(waitForStep(session));
    }

    FinetuneSession::StepOptions quickRun(int steps) const {
        FinetuneSession::StepOptions options;
        options.partition = "random";
        options.maxSteps = steps;
        options.checkEvery = 2;
        options.checkSentences = 2;
        options.trainSource = m_train + ".de";
        options.trainTarget = m_train + ".en";
        return options;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        torch::set_num_threads(2);
        QVERIFY(m_dir.isValid());
        m_modelPath = m_dir.filePath("tiny.moewb");
        moewb::test::tinyModel()->save(m_modelPath.toStdString());
        moewb::ParallelCorpus corpus;
        corpus.pairs = moewb::test::sixteenPairs();
        m_train = m_dir.filePath("train");
        moewb::writeMosesCorpus(corpus, m_train.toStdString());
        moewb::ParallelCorpus many;
        for (int i = 0; i < 500; ++i) {
            many.pairs.insert(many.pairs.end(), corpus.pairs.begin(), corpus.pairs.end());
        }
        m_long = m_dir.filePath("long");
        moewb::writeMosesCorpus(many, m_long.toStdString());
    }

    void mapsTheStepOptionsToFinetuneOptions() {
        FinetuneSession::StepOptions step;
        step.partition = "kmeans";
        QString error;
        // Defaults: K = N / 4 in every layer, checked at that K, the CLI's loss weights.
        auto options = FinetuneSession::finetuneOptions(step, 16, 12, "/p/finetune/x", &error);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->layerK, std::vector<int>(12, 4));
        QVERIFY(options->mixedK.empty());
        QCOMPARE(options->checkK, 4);
        QCOMPARE(options->kdWeight, 1.0);
        QCOMPARE(options->ceWeight, 0.5);
        QCOMPARE(options->mseWeight, 0.0);
        QCOMPARE(options->timeBudgetSeconds, 50 * 60.0);
        QCOMPARE(options->maxSteps, 0);
        QCOMPARE(options->checkEvery, 100);
        QCOMPARE(options->checkSentences, 100);
        QCOMPARE(options->checkpointDir, std::string("/p/finetune/x"));
        QVERIFY(!options->resume);
        QCOMPARE(FinetuneSession::modelName(step), QStringLiteral("kmeans-ft"));

        // Every choice goes through.
        step.k = 2;
        step.mixedK = " 1, 2,4 ,";
        step.timeBudgetMinutes = 1.5;
        step.kdWeight = 0.7;
        step.ceWeight = 0.0;
        step.mseWeight = 2.0;
        step.checkEvery = 25;
        step.resume = true;
        step.name = " tuned ";
        options = FinetuneSession::finetuneOptions(step, 8, 4, "/d", &error);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->layerK, std::vector<int>(4, 2));
        QCOMPARE(options->mixedK, (std::vector<int>{1, 2, 4}));
        QCOMPARE(options->checkK, 2);
        QCOMPARE(options->timeBudgetSeconds, 90.0);
        QCOMPARE(options->kdWeight, 0.7);
        QCOMPARE(options->ceWeight, 0.0);
        QCOMPARE(options->mseWeight, 2.0);
        QCOMPARE(options->checkEvery, 25);
        QVERIFY(options->resume);
        QCOMPARE(FinetuneSession::modelName(step), QStringLiteral("tuned"));
        // The expert choice: the current weights by default, a router or the joint gate.
        QCOMPARE(options->routing, moewb::TrainingRouting::CurrentWeights);
        step.routing = "gate";
        QCOMPARE(FinetuneSession::finetuneOptions(step, 8, 4, "/d", &error)->routing,
                 moewb::TrainingRouting::JointGate);
        step.routing = "router";
        QCOMPARE(FinetuneSession::finetuneOptions(step, 8, 4, "/d", &error)->routing,
                 moewb::TrainingRouting::Router);
        step.routing = "oracle";
        QVERIFY(!FinetuneSession::finetuneOptions(step, 8, 4, "/d", &error));
        QVERIFY2(error.contains("oracle"), qPrintable(error));
        // The K = N / 4 default never drops to 0.
        step = {};
        options = FinetuneSession::finetuneOptions(step, 2, 4, "", &error);
        QCOMPARE(options->layerK, std::vector<int>(4, 1));
    }

    void refusesOutOfRangeChoices() {
        QString error;
        FinetuneSession::StepOptions step;
        step.k = 17;
        QVERIFY(!FinetuneSession::finetuneOptions(step, 16, 12, "", &error));
        QVERIFY2(error.contains("16"), qPrintable(error));
        for (const char* mixed : {"1,x", "0,2", "2,32", "-1"}) {
            step = {};
            step.mixedK = mixed;
            error.clear();
            QVERIFY2(!FinetuneSession::finetuneOptions(step, 16, 12, "", &error), mixed);
            QVERIFY2(error.contains("Mixed K"), qPrintable(error));
        }
        step = {};
        step.kdWeight = step.ceWeight = step.mseWeight = 0;
        QVERIFY(!FinetuneSession::finetuneOptions(step, 16, 12, "", &error));
        step = {};
        step.ceWeight = -1;
        QVERIFY(!FinetuneSession::finetuneOptions(step, 16, 12, "", &error));
        QVERIFY(error.contains("weights"));
    }

    void finetunesSavesAndAddsTheRouterOfTheTunedModel() {
        const QString folder = m_dir.filePath("tune");
        {
            JobRunner jobs;
            ProjectSession session(&jobs);
            openWithPartition(session, "tune");
            FinetuneSession* finetune = session.finetune();
            QSignalSpy points(finetune, &FinetuneSession::pointAdded);
            QSignalSpy reset(finetune, &FinetuneSession::curveReset);
            QSignalSpy routers(&session, &ProjectSession::routersChanged);
            QVERIFY(finetune->run(quickRun(3)) > 0);
            QVERIFY(finetune->isRunning());
            QVERIFY(waitForStep(session));
            QVERIFY(!finetune->isRunning());
            QCOMPARE(points.count(), 3);  // one per step, queued to the GUI thread
            QCOMPARE(points.last().at(0).value<moewb::FinetunePoint>().step, qint64(3));
            QCOMPARE(reset.last().at(0).toString(), QStringLiteral("random-ft"));
            QCOMPARE(int(finetune->curve().size()), 3);
            QVERIFY(finetune->curve()[1].bleu >= 0);  // checked at step 2
            QVERIFY(QFileInfo::exists(folder + "/models/random-ft.moewb"));
            QVERIFY(QFileInfo::exists(folder + "/routers/random-ft-mlp.json"));
            QVERIFY(QFileInfo::exists(folder + "/finetune/random-ft/state.json"));
            QVERIFY(routers.count() >= 1);
            QCOMPARE(session.tunedModels(), QStringList{"random-ft"});
            QVERIFY(session.stepDone(Step::Finetune));
            QVERIFY(session.stepSummary(Step::Finetune).contains("random-ft-mlp"));
            const RouterEntry& router = session.routers().last();
            QCOMPARE(router.name, QStringLiteral("random-ft-mlp"));
            QCOMPARE(router.partition, QStringLiteral("random"));
            QCOMPARE(router.model, QStringLiteral("random-ft"));
            QVERIFY(router.isTuned());
            QVERIFY(router.tunedModel.model != session.model().model);
            QCOMPARE(int(router.experts.size()), 4);
            QVERIFY(router.experts[0] != session.partitions().front().experts[0]);
            QVERIFY(!router.experts[0]->usesHalfWeights());  // a float32 dense model
            QCOMPARE(router.set->model, std::string("random-ft"));
            // The dense model is still the project's model.
            QCOMPARE(session.model().path, QFileInfo(m_modelPath).absoluteFilePath());

            // A second run on the same name must not silently start over on its checkpoint.
            QSignalSpy failed(&session, &ProjectSession::stepFailed);
            QCOMPARE(finetune->run(quickRun(5)), 0);
            QVERIFY(failed.last().at(1).toString().contains("Resume"));
            // Resumed, it continues after step 3 and shows the whole curve.
            auto resume = quickRun(5);
            resume.resume = true;
            QVERIFY(finetune->run(resume) > 0);
            QVERIFY(waitForStep(session));
            QCOMPARE(int(finetune->curve().size()), 5);
            QCOMPARE(finetune->curve().front().step, qint64(1));
            QCOMPARE(finetune->curve().back().step, qint64(5));
            QCOMPARE(session.routers().size(), 1);  // replaced, not added twice
        }
        // Opened again, the router's experts come from the fine-tuned model, not the dense one.
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        QSignalSpy reset(session.finetune(), &FinetuneSession::curveReset);
        session.open(folder);
        QVERIFY(opened.wait(20000));
        QCOMPARE(session.routers().size(), 1);
        const RouterEntry& router = session.routers().front();
        QCOMPARE(router.model, QStringLiteral("random-ft"));
        QVERIFY(router.isTuned());
        QVERIFY(router.tunedModel.path.endsWith("models/random-ft.moewb"));
        QCOMPARE(int(router.experts.size()), 4);
        QVERIFY(router.experts[0] != session.partitions().front().experts[0]);
        QCOMPARE(session.tunedModels(), QStringList{"random-ft"});
        // The last run's curve is shown again.
        QTRY_COMPARE(int(session.finetune()->curve().size()), 5);
        QCOMPARE(session.finetune()->curveModel(), QStringLiteral("random-ft"));
    }

    // With the joint gate the run saves and lists two routers of the tuned model: its MLP
    // router and the gate trained with it.
    void aJointGateRunAddsItsGateRouter() {
        JobRunner jobs;
        ProjectSession session(&jobs);
        openWithPartition(session, "gated");
        auto options = quickRun(2);
        options.routing = "gate";
        QVERIFY(session.finetune()->run(options) > 0);
        QVERIFY(waitForStep(session));
        QVERIFY(QFileInfo::exists(m_dir.filePath("gated/routers/random-ft-gate.json")));
        QStringList names;
        for (const auto& router : session.routers()) {
            names << router.name;
        }
        QVERIFY2(names.contains("random-ft-mlp") && names.contains("random-ft-gate"),
                 qPrintable(names.join(", ")));
        const RouterEntry& gate = session.routers().last();
        QCOMPARE(gate.set->kind, std::string("gate"));
        QVERIFY(gate.isTuned());
        QCOMPARE(gate.model, QStringLiteral("random-ft"));
    }

    void keepsTheDenseModelsPrecision() {
        // A float16 dense model runs float16 kernels; the fine-tuned one must too, or every
        // speed-up against dense would be skewed.
        const QString half = m_dir.filePath("tiny16.moewb");
        moewb::test::tinyModel()->save(half.toStdString(), moewb::WeightPrecision::Float16);
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(m_dir.filePath("half"), half);
        QVERIFY(opened.wait(20000));
        QVERIFY(session.model().model->halfWeights() != nullptr);
        ProjectSession::PartitionStepOptions partition;
        partition.method = "random";
        partition.experts = 4;
        QVERIFY(session.runPartition(partition) > 0);
        QVERIFY(waitForStep(session));
        QVERIFY(session.finetune()->run(quickRun(2)) > 0);
        QVERIFY(waitForStep(session));
        const RouterEntry& router = session.routers().last();
        QVERIFY(router.isTuned());
        QVERIFY(router.tunedModel.model->halfWeights() != nullptr);
        QVERIFY(router.experts[0]->usesHalfWeights());
        QVERIFY(moewb::NmtModel::load(router.tunedModel.path.toStdString())->halfWeights());
    }

    void aCancelledFinetuneWritesNothing() {
        const QString folder = m_dir.filePath("cancel");
        JobRunner jobs;
        ProjectSession session(&jobs);
        openWithPartition(session, "cancel");
        auto options = quickRun(0);  // the time budget (50 min) only: a run worth cancelling
        options.trainSource = m_long + ".de";
        options.trainTarget = m_long + ".en";
        options.checkEvery = 0;
        QSignalSpy points(session.finetune(), &FinetuneSession::pointAdded);
        const int id = session.finetune()->run(options);
        QVERIFY(id > 0);
        QVERIFY(points.wait(60000));  // training has started
        jobs.cancel(id);
        QVERIFY(!waitForStep(session));
        QVERIFY(!session.finetune()->isRunning());
        QVERIFY(!QFileInfo::exists(folder + "/models/random-ft.moewb"));
        QVERIFY(!QFileInfo::exists(folder + "/routers/random-ft-mlp.json"));
        QVERIFY(session.routers().isEmpty());
        QVERIFY(session.tunedModels().isEmpty());
        QVERIFY(!session.stepDone(Step::Finetune));
    }
};

QTEST_MAIN(TestFinetuneSession)
#include "test_FinetuneSession.moc"
