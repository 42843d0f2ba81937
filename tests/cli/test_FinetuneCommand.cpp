// `moewb finetune` end to end on a tiny float16 model (trained here by `moewb train`, d_model
// 32, d_ff 64) split into 4 random experts: the fine-tuned model keeps the dense model's
// configuration and precision, records its K and steps, gets a router bound to it, leaves the
// dense model alone; a run resumed from its checkpoint matches an uninterrupted one; bad
// options are one line.
#include "moewb/nmt/NmtModel.h"

#include "cli/CliTestSupport.h"

#include "moewb/project/Project.h"

#include <QTemporaryDir>
#include <QtTest>

using moewb::test::runCli;

namespace {

nlohmann::json readJson(const QString& path) {
    return nlohmann::json::parse(moewb::test::readFile(path).toStdString(), nullptr, false);
}

// Empty when both models hold the same weights; else the first parameter that differs.
QString weightDifference(const QString& a, const QString& b) {
    const auto x = moewb::NmtModel::load(a.toStdString())->transformer()->named_parameters();
    const auto y = moewb::NmtModel::load(b.toStdString())->transformer()->named_parameters();
    for (const auto& item : x) {
        if (!torch::equal(item.value(), y[item.key()])) {
            return QString::fromStdString(item.key());
        }
    }
    return x.size() == y.size() ? QString() : QStringLiteral("parameter lists differ");
}

}  // namespace

class TestFinetuneCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_stem, m_model, m_project;

    // finetune PROJECT on the 16 pairs with small batches, no BLEU check before the end.
    QStringList finetune(const QStringList& extra) const {
        return QStringList{"finetune",
                           m_project,
                           "--partition",
                           "random",
                           "--src",
                           m_stem + ".de",
                           "--tgt",
                           m_stem + ".en",
                           "--valid-src",
                           m_stem + ".de",
                           "--valid-tgt",
                           m_stem + ".en",
                           "--batch-tokens",
                           "240",
                           "--check-every",
                           "0",
                           "--check-sentences",
                           "4",
                           "--router-tokens",
                           "300",
                           "--threads",
                           "1"} +
               extra;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_stem = m_dir.filePath("pairs");
        QVERIFY(moewb::test::writeMoses(m_stem, moewb::test::sixteenTextPairs()));
        m_model = m_dir.filePath("dense.moewb");
        const auto train = runCli(moewb::test::tinyTrainArgs(m_stem) +
                                  QStringList{"--epochs", "2", "--fp16", "--out", m_model});
        QVERIFY2(train.finished && train.exitCode == 0, qPrintable(train.err));
        m_project = m_dir.filePath("p");
        moewb::Project::create(m_project.toStdString(), m_model.toStdString());
        const auto partition =
            runCli({"partition", m_project, "--method", "random", "--experts", "4"});
        QVERIFY2(partition.finished && partition.exitCode == 0, qPrintable(partition.err));
    }

    void writesTheModelAndItsRouter() {
        const QByteArray dense = moewb::test::readFile(m_model);
        const auto run = runCli(finetune({"--steps", "3", "--k", "2"}));
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains("over random (N = 4, encoder K = 2, decoder K = 2) on 16 pairs"),
                 qPrintable(run.err));
        const QString tuned = m_project + "/models/random-ft.moewb";
        QVERIFY2(run.out.startsWith("fine-tuned 3 steps in "), qPrintable(run.out));
        QVERIFY2(run.out.contains("(max steps)"), qPrintable(run.out));
        QVERIFY2(run.out.contains("saved " + tuned + " (float16, as the dense model)"),
                 qPrintable(run.out));

        // The same configuration, float16 as the dense model, other weights.
        const auto header = moewb::test::readModelHeader(tuned);
        QCOMPARE(header.at("config"), moewb::test::readModelHeader(m_model).at("config"));
        QCOMPARE(header.at("weights_dtype").get<std::string>(), std::string("float16"));
        QVERIFY(!weightDifference(tuned, m_model).isEmpty());
        QVERIFY(moewb::test::readFile(m_model) == dense);  // never touched

        // The record says what was run: K 2 in all 4 FFN layers, 3 steps.
        const auto info = runCli({"info", tuned});
        const auto record =
            nlohmann::json::parse(info.out.section("training    ", 1).toStdString());
        QCOMPARE(record.at("finetune").at("layer_k"), nlohmann::json({2, 2, 2, 2}));
        QCOMPARE(record.at("finetune").at("steps").get<int>(), 3);
        QCOMPARE(record.at("finetune").at("partition_method").get<std::string>(),
                 std::string("random"));

        // The router is trained on the fine-tuned model, over the partition it was tuned for.
        const auto router = readJson(m_project + "/routers/random-ft-mlp.json");
        QCOMPARE(router.at("model").get<std::string>(), std::string("random-ft"));
        QCOMPARE(router.at("partition").get<std::string>(), std::string("random"));
        QCOMPARE(router.at("num_experts").get<int>(), 4);
        QCOMPARE(router.at("kind").get<std::string>(), std::string("mlp"));
        QVERIFY2(run.out.contains("router random-ft-mlp: mean held-out recall@2 "),
                 qPrintable(run.out));

        const auto state = readJson(m_project + "/finetune/random-ft/state.json");
        QCOMPARE(state.at("step").get<int>(), 3);
        QCOMPARE(state.at("curve").size(), std::size_t(3));
        const auto project = readJson(m_project + "/project.json");
        QVERIFY(project.at("steps").contains("finetune:random-ft"));

        // The fine-tuned MoE translates through its router.
        const auto translate = runCli(
            {"translate", "--project", m_project, "--router", "random-ft-mlp", "--max-length", "8"},
            "Ein Mann fährt Fahrrad.\n");
        QVERIFY2(translate.finished && translate.exitCode == 0 && translate.out.count('\n') == 1,
                 qPrintable(translate.err));
        QVERIFY2(translate.err.contains("(fine-tuned)"), qPrintable(translate.err));
    }

    // Stopped after 2 steps, then continued to 4 with --resume: the weights of a run of 4
    // steps in one go (batches, dropout and K are seeded by epoch and step; formats.md,
    // "Fine-tuning checkpoint"). Without --resume the checkpoint is not overwritten.
    void aResumedRunMatchesAnUninterruptedOne() {
        const auto first = runCli(finetune({"--steps", "2", "--name", "split"}));
        QVERIFY2(first.finished && first.exitCode == 0, qPrintable(first.err));
        QCOMPARE(readJson(m_project + "/finetune/split/state.json").at("step").get<int>(), 2);

        const auto again = runCli(finetune({"--steps", "4", "--name", "split"}));
        QVERIFY2(again.isUsageError("PROJECT/finetune/split holds a checkpoint: add --resume"),
                 qPrintable(again.err));

        const auto resumed = runCli(finetune({"--steps", "4", "--name", "split", "--resume"}));
        QVERIFY2(resumed.finished && resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.out.startsWith("fine-tuned 4 steps"), qPrintable(resumed.out));
        QCOMPARE(readJson(m_project + "/finetune/split/state.json").at("curve").size(),
                 std::size_t(4));

        const auto whole = runCli(finetune({"--steps", "4", "--name", "whole"}));
        QVERIFY2(whole.finished && whole.exitCode == 0, qPrintable(whole.err));
        const QString diff =
            weightDifference(m_project + "/models/split.moewb", m_project + "/models/whole.moewb");
        QVERIFY2(diff.isEmpty(), qPrintable("differs in " + diff));
    }

    // Options are checked against the partition before any data is read (exit 2); a missing
    // partition is named (exit 1).
    void badOptionsAreOneLine() {
        const QString problems = moewb::test::checkBadRuns({
            {finetune({"--k", "5"}),
             "--k 5 is out of range: use a whole number from 1 to 4 (the partition has 4 experts)"},
            {finetune({"--routing", "magic"}), "--routing is weights, router or gate, not 'magic'"},
            // A batch must hold the longest pair (100 tokens a side): it failed after loading
            // the data, exit 1, without naming the option.
            {finetune({"--batch-tokens", "100"}),
             "--batch-tokens 100 is out of range: use a whole number from 202"},
            {{"finetune", m_project}, "--partition NAME is required"},
            {{"finetune", m_project, "--partition", "nope"}, "partitions/nope.json", 1},
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
};

QTEST_APPLESS_MAIN(TestFinetuneCommand)
#include "test_FinetuneCommand.moc"
