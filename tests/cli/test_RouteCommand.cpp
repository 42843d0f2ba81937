// `moewb route` end to end, and the life of its router file: strict options, then a partition
// re-run with another expert count orphans the router, which translate, eval and sweep refuse
// with one line naming both files and the step to re-run (they used to translate with experts
// 8-15 that no longer existed). Uses the shipped model and the small test corpus.
#include "cli/CliTestSupport.h"

#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

using moewb::test::CliRun;
using moewb::test::runCli;

namespace {

const QString kSource = QStringLiteral(MOEWB_TEST_DATA_DIR "/corpus/moses_small.de");
const QString kTarget = QStringLiteral(MOEWB_TEST_DATA_DIR "/corpus/moses_small.en");

// The error names the router file, the partition file, both expert counts and the command that
// rebuilds the router.
bool namesTheMismatch(const CliRun& run) {
    const QString line = run.errorLine();
    return run.finished && run.exitCode == 1 && run.noBacktrace() &&
           line.contains("routers/random-hash.json") && line.contains("partitions/random.json") &&
           line.contains("16 experts") && line.contains("now has 8") &&
           line.contains("moewb route");
}

}  // namespace

class TestRouteCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("p");
        moewb::Project::create(m_project.toStdString());  // on the shipped model
        const auto partition =
            runCli({"partition", m_project, "--method", "random", "--experts", "16"});
        QVERIFY2(partition.finished && partition.exitCode == 0, qPrintable(partition.err));
        const auto route = runCli({"route", m_project, "--partition", "random", "--router", "hash",
                                   "--src", kSource, "--tgt", kTarget, "--tokens", "500"});
        QVERIFY2(route.finished && route.exitCode == 0, qPrintable(route.err));
    }

    // Counts that mean nothing at zero, and numbers with junk, stop before any work.
    void countsAndListsAreStrict() {
        const QStringList route = {"route", m_project, "--partition", "random"};
        QVERIFY(runCli(route + QStringList{"--tokens", "0"})
                    .isUsageError("--tokens 0 is out of range"));
        QVERIFY(runCli(route + QStringList{"--epochs", "0"})
                    .isUsageError("--epochs 0 is out of range"));
        const QStringList sweep = {"sweep", m_project, "--router", "random-hash"};
        const auto junk = runCli(sweep + QStringList{"--ks", "1x"});
        QVERIFY2(junk.exitCode == 2 && junk.errorLine().contains("--ks needs a whole number") &&
                     junk.errorLine().contains("'1x'"),
                 qPrintable(junk.err));
        const auto big = runCli(sweep + QStringList{"--ks", "1,32"});
        QVERIFY2(big.exitCode == 2 && big.errorLine().contains("--ks 32 is out of range"),
                 qPrintable(big.err));
        const auto tau = runCli(sweep + QStringList{"--tau", "0.5,nan"});
        QVERIFY2(tau.exitCode == 2 && tau.errorLine().contains("--tau needs a number"),
                 qPrintable(tau.err));
        const auto epochs =
            runCli({"finetune", m_project, "--partition", "random", "--epochs", "0"});
        QVERIFY2(epochs.exitCode == 2 && epochs.errorLine().contains("--epochs 0 is out of range"),
                 qPrintable(epochs.err));
    }

    // A partition re-run with 8 experts says that it orphans the router trained on 16; every
    // command that would run the pair refuses it. Last, the same for a version-1 router file,
    // which has no partition hash: its expert count alone is checked.
    void aRouterOfAnotherPartitionIsRefused() {
        const auto fine =
            runCli({"translate", "--project", m_project, "--router", "random-hash", "--k", "4"},
                   "Ein Mann fährt Fahrrad.\n");
        QVERIFY2(fine.finished && fine.exitCode == 0 && !fine.out.trimmed().isEmpty(),
                 qPrintable(fine.err));

        const auto partition =
            runCli({"partition", m_project, "--method", "random", "--experts", "8"});
        QVERIFY2(partition.finished && partition.exitCode == 0, qPrintable(partition.err));
        QVERIFY2(partition.err.contains("note: ") &&
                     partition.err.contains("routers/random-hash.json") &&
                     partition.err.contains("moewb route"),
                 qPrintable(partition.err));

        const auto translate =
            runCli({"translate", "--project", m_project, "--router", "random-hash", "--k", "4"},
                   "Ein Mann fährt Fahrrad.\n");
        QVERIFY2(namesTheMismatch(translate), qPrintable(translate.err));
        QVERIFY(translate.out.isEmpty());
        const auto eval =
            runCli({"eval", "--project", m_project, "--router", "random-hash", "--limit", "2"});
        QVERIFY2(namesTheMismatch(eval), qPrintable(eval.err));
        const auto sweep = runCli({"sweep", m_project, "--router", "random-hash"});
        QVERIFY2(namesTheMismatch(sweep), qPrintable(sweep.err));

        const std::string routerPath = (m_project + "/routers/random-hash.json").toStdString();
        auto document = nlohmann::json::parse(moewb::readFileBytes(routerPath));
        document.erase("num_experts");
        document.erase("partition_hash");
        document["version"] = 1;
        moewb::writeFileAtomic(routerPath, document.dump());
        const auto old =
            runCli({"translate", "--project", m_project, "--router", "random-hash", "--k", "4"},
                   "Ein Mann fährt Fahrrad.\n");
        QVERIFY2(namesTheMismatch(old), qPrintable(old.err));
    }
};

QTEST_APPLESS_MAIN(TestRouteCommand)
#include "test_RouteCommand.moc"
