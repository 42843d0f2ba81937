// ProjectSession: opening a project on a real (tiny) model, running the profile, partition and
// router steps on the worker, reloading what they saved, refusing steps whose inputs are
// missing, keeping the previous results when a step is cancelled, and translating while a sweep
// runs on the same model (nothing locks it). The profile and router steps read the Ding
// dictionary (trans-de-en); without it those cases skip.
#include "widgets/TranslatorPanelParts.h"
#include "widgets/TranslatorTestSupport.h"

#include "JobRunner.h"
#include "ProjectSession.h"
#include "TranslatorPanel.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"

#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace moewb::gui;

namespace {

bool haveDing() {
    return moewb::fileExists(moewb::CorpusSource{}.path);
}

// Waits for the session's step to end and returns whether it succeeded.
bool waitForStep(ProjectSession& session, int timeoutMs = 60000) {
    QSignalSpy finished(&session, &ProjectSession::stepFinished);
    if (!finished.wait(timeoutMs)) {
        return false;
    }
    return finished.last().at(1).toBool();
}

}  // namespace

class TestProjectSession : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_modelPath;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        torch::set_num_threads(2);
        QVERIFY(m_dir.isValid());
        m_modelPath = m_dir.filePath("tiny.moewb");
        moewb::test::tinyModel()->save(m_modelPath.toStdString());
    }

    void opensAFreshProjectWithItsModel() {
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        QSignalSpy model(&session, &ProjectSession::modelChanged);
        session.open(m_dir.filePath("fresh"), m_modelPath);
        QVERIFY(opened.wait(20000));
        QVERIFY(session.isOpen());
        QCOMPARE(model.count(), 1);
        QVERIFY(session.model().isValid());
        QCOMPARE(session.model().path, QFileInfo(m_modelPath).absoluteFilePath());
        QVERIFY(!session.stepDone(ProjectSession::Step::Profile));
        QCOMPARE(session.stepSummary(ProjectSession::Step::Profile), QStringLiteral("not run"));
        QVERIFY(QFileInfo::exists(m_dir.filePath("fresh/project.json")));
    }

    void refusesStepsWhoseInputsAreMissing() {
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy failed(&session, &ProjectSession::stepFailed);
        QCOMPARE(session.runProfile({}), 0);  // no project yet
        QCOMPARE(failed.count(), 1);
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(m_dir.filePath("refuse"), m_modelPath);
        QVERIFY(opened.wait(20000));
        ProjectSession::PartitionStepOptions metis;
        metis.method = "metis";
        QCOMPARE(session.runPartition(metis), 0);  // METIS needs the profile
        QVERIFY(failed.last().at(1).toString().contains("Profile step"));
        ProjectSession::RouterStepOptions routers;
        routers.partition = "nothing";
        QCOMPARE(session.runRouters(routers), 0);
        QVERIFY(failed.last().at(1).toString().contains("Partitions step"));
    }

    void runsTheStepsAndReloadsTheirArtifacts() {
        if (!haveDing()) {
            QSKIP("the Ding dictionary (apt install trans-de-en) is not installed");
        }
        const QString folder = m_dir.filePath("steps");
        {
            JobRunner jobs;
            ProjectSession session(&jobs);
            QSignalSpy opened(&session, &ProjectSession::opened);
            session.open(folder, m_modelPath);
            QVERIFY(opened.wait(20000));
            QVERIFY(session.runProfile({3000}) > 0);
            QVERIFY(waitForStep(session));
            QVERIFY(session.profile() != nullptr);
            QCOMPARE(int(session.profile()->layers.size()), 4);  // 2 + 2 tiny layers
            ProjectSession::PartitionStepOptions partition;
            partition.method = "metis";
            partition.experts = 4;
            QVERIFY(session.runPartition(partition) > 0);
            QVERIFY(waitForStep(session));
            QCOMPARE(session.partitions().size(), 1);
            QCOMPARE(session.partitions().front().name, QStringLiteral("metis"));
            QCOMPARE(int(session.partitions().front().experts.size()), 4);
            ProjectSession::RouterStepOptions routers;
            routers.partition = "metis";
            routers.kind = "similarity";
            routers.tokens = 2000;
            QVERIFY(session.runRouters(routers) > 0);
            QVERIFY(waitForStep(session));
            QCOMPARE(session.routers().size(), 1);
            QCOMPARE(session.routers().front().name, QStringLiteral("metis-similarity"));
            QVERIFY(
                session.stepSummary(ProjectSession::Step::Routers).contains("metis-similarity"));
        }
        // A new session finds everything the steps saved.
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(folder);
        QVERIFY(opened.wait(20000));
        QVERIFY(session.profile() != nullptr);
        QCOMPARE(session.partitions().size(), 1);
        QCOMPARE(session.routers().size(), 1);
        QCOMPARE(session.routers().front().partition, QStringLiteral("metis"));
    }

    void aCancelledStepKeepsThePreviousResult() {
        if (!haveDing()) {
            QSKIP("the Ding dictionary (apt install trans-de-en) is not installed");
        }
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(m_dir.filePath("cancel"), m_modelPath);
        QVERIFY(opened.wait(20000));
        QVERIFY(session.runProfile({2000}) > 0);
        QVERIFY(waitForStep(session));
        const ProfileHandle before = session.profile();
        const auto savedBefore =
            moewb::readFileBytes(m_dir.filePath("cancel/profile/profile.bin").toStdString());
        QSignalSpy changed(&session, &ProjectSession::profileChanged);
        const int id = session.runProfile({400000});
        QVERIFY(id > 0);
        jobs.cancel(id);
        QVERIFY(!waitForStep(session));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(session.profile(), before);  // the same object: nothing replaced
        QCOMPARE(moewb::readFileBytes(m_dir.filePath("cancel/profile/profile.bin").toStdString()),
                 savedBefore);
    }

    void aTranslationFinishesWhileASweepRunsOnTheSameModel() {
        const QString folder = m_dir.filePath("concurrent");
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        session.open(folder, m_modelPath);
        QVERIFY(opened.wait(20000));
        ProjectSession::PartitionStepOptions kmeans;
        kmeans.experts = 4;
        QVERIFY(session.runPartition(kmeans) > 0);
        QVERIFY(waitForStep(session));
        {
            // Routers from the sixteen test pairs (the Routers step would need the Ding corpus).
            moewb::Feedback feedback;
            const auto& experts = session.partitions().front().experts;
            const auto inputs = moewb::collectFfnInputs(
                *session.model().model, moewb::test::sixteenPairs(), 5000, feedback);
            moewb::RouterTrainingOptions options;
            options.kind = "similarity";
            auto set = moewb::trainRouters(experts, inputs, options, feedback);
            set.partition = "kmeans";
            moewb::saveRouterSet(session.project()->routerPath("kmeans-similarity"), set);
        }
        session.open(folder);
        QVERIFY(opened.wait(20000));
        QCOMPARE(session.routers().size(), 1);

        // A first, short sweep: the previous result the cancelled one below must leave alone.
        ProjectSession::SweepStepOptions quick;
        quick.router = QStringLiteral("kmeans-similarity");
        quick.sentenceLimit = 2;
        quick.rounds = 1;
        QVERIFY(session.runSweep(quick) > 0);
        QVERIFY(waitForStep(session));
        QCOMPARE(session.sweeps().size(), 1);
        const auto previousSweep = session.sweeps().front().result;
        const std::string sweepFile = session.project()->sweepPath("kmeans-similarity", "json");
        const std::string sweepBytes = moewb::readFileBytes(sweepFile);

        ProjectSession::SweepStepOptions sweep;
        sweep.router = QStringLiteral("kmeans-similarity");
        sweep.thresholds = {0.3, 0.5};
        sweep.rounds = 50;  // far longer than a translation
        QSignalSpy finished(&session, &ProjectSession::stepFinished);
        QSignalSpy progress(&jobs, &JobRunner::progress);
        const int sweepId = session.runSweep(sweep);
        QVERIFY(sweepId > 0);
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 20000);  // the sweep is under way

        TranslatorPanel panel(&jobs);
        QSignalSpy updated(&panel, &TranslatorPanel::translationUpdated);
        panel.setModel(session.model());
        panel.setPartitions(session.partitions());
        panel.setRouters(session.routers());
        panel.setSentence(QStringLiteral("Ein Mann fährt Fahrrad."));
        QTRY_VERIFY_WITH_TIMEOUT(panel.shownK() > 0, 20000);
        QVERIFY(!moewb::test::TranslatorPanelParts(panel).moeOutputLabel->text().isEmpty());
        QVERIFY(!moewb::test::TranslatorPanelParts(panel).denseOutputLabel->text().isEmpty());
        QCOMPARE(finished.count(), 0);  // the sweep is still running
        QVERIFY(!jobs.title(sweepId).isEmpty());
        jobs.cancel(sweepId);
        QVERIFY(!waitForStep(session));
        // Cancelled: the previous sweep is still the one shown and the one on disk.
        QCOMPARE(session.sweeps().size(), 1);
        QCOMPARE(session.sweeps().front().result, previousSweep);
        QCOMPARE(moewb::readFileBytes(sweepFile), sweepBytes);
    }

    void refusesThresholdsOutsideZeroToOne() {
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy failed(&session, &ProjectSession::stepFailed);
        ProjectSession::SweepStepOptions sweep;
        sweep.router = QStringLiteral("any");
        sweep.thresholds = {0.4, 1.0};
        QCOMPARE(session.runSweep(sweep), 0);
        QVERIFY(failed.last().at(1).toString().contains("τ"));
    }

    void aBrokenArtifactIsReportedAndTheRestLoads() {
        const QString folder = m_dir.filePath("broken");
        {
            JobRunner jobs;
            ProjectSession session(&jobs);
            QSignalSpy opened(&session, &ProjectSession::opened);
            session.open(folder, m_modelPath);
            QVERIFY(opened.wait(20000));
            ProjectSession::PartitionStepOptions random;
            random.method = "random";
            random.experts = 4;
            session.runPartition(random);
            QVERIFY(waitForStep(session));
        }
        moewb::writeFileAtomic(QDir(folder).filePath("partitions/bad.json").toStdString(),
                               "{\"format\": \"moewb-partition\", \"version\": 1,");
        // A damaged profile too: it used to stop the whole project from opening.
        moewb::writeFileAtomic(QDir(folder).filePath("profile/profile.bin").toStdString(),
                               "MOEWBPRF garbage");
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        QSignalSpy failed(&session, &ProjectSession::stepFailed);
        session.open(folder);
        QVERIFY(opened.wait(20000));
        QCOMPARE(session.partitions().size(), 1);
        QCOMPARE(session.partitions().front().name, QStringLiteral("random"));
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.front().at(1).toString().contains("bad.json"));
        QVERIFY(failed.front().at(1).toString().contains("profile.bin"));
        QVERIFY(!session.profile());
    }

    // A partition re-run with another N orphans the router trained on it: the session drops it
    // from routers() (it would pick experts that no longer exist), marks it stale and says so,
    // and a project opened later does the same instead of loading it silently. Re-running with
    // the same options changes nothing.
    void aRouterOfARepartitionedPartitionIsMarkedStale() {
        const QString folder = m_dir.filePath("stale");
        JobRunner jobs;
        ProjectSession session(&jobs);
        QSignalSpy opened(&session, &ProjectSession::opened);
        QSignalSpy stale(&session, &ProjectSession::artifactsStale);
        session.open(folder, m_modelPath);
        QVERIFY(opened.wait(20000));
        ProjectSession::PartitionStepOptions random;
        random.method = "random";
        random.experts = 4;
        QVERIFY(session.runPartition(random) > 0);
        QVERIFY(waitForStep(session));
        {
            moewb::Feedback feedback;
            const auto inputs = moewb::collectFfnInputs(
                *session.model().model, moewb::test::sixteenPairs(), 2000, feedback);
            moewb::RouterTrainingOptions options;
            options.kind = "similarity";
            auto set = moewb::trainRouters(session.partitions().front().experts, inputs, options,
                                           feedback);
            set.partition = "random";
            moewb::saveRouterSet(session.project()->routerPath("random-similarity"), set);
        }
        session.open(folder);
        QVERIFY(opened.wait(20000));
        QCOMPARE(session.routers().size(), 1);
        QVERIFY(session.runPartition(random) > 0);  // the same split again
        QVERIFY(waitForStep(session));
        QCOMPARE(session.routers().size(), 1);
        QCOMPARE(stale.count(), 0);

        random.experts = 8;
        QVERIFY(session.runPartition(random) > 0);
        QVERIFY(waitForStep(session));
        QVERIFY(session.routers().isEmpty());
        QVERIFY(session.stale().routers.contains(QStringLiteral("random-similarity")));
        QCOMPARE(stale.count(), 1);
        QVERIFY(stale.last().at(0).toStringList().join('\n').contains("random-similarity.json"));
        QVERIFY(session.stepSummary(ProjectSession::Step::Routers).contains("stale"));

        JobRunner otherJobs;
        ProjectSession reopened(&otherJobs);
        QSignalSpy reopenedSignal(&reopened, &ProjectSession::opened);
        QSignalSpy reopenedStale(&reopened, &ProjectSession::artifactsStale);
        reopened.open(folder);
        QVERIFY(reopenedSignal.wait(20000));
        QVERIFY(reopened.routers().isEmpty());
        QCOMPARE(reopened.partitions().size(), 1);
        QCOMPARE(reopenedStale.count(), 1);
        const QString reason = reopened.stale().routers.value(QStringLiteral("random-similarity"));
        QVERIFY2(reason.contains("4 experts") && reason.contains("partitions/random.json"),
                 qPrintable(reason));
    }
};

QTEST_MAIN(TestProjectSession)
#include "test_ProjectSession.moc"
