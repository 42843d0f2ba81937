// `moewb demo` end to end with the seeded tiny model of tests/core/NmtTestSupport.h (d_model
// 32, 2 + 2 layers, d_ff 64), the small Ding file of tests/data and N = 2 experts, so the whole
// job runs in seconds: it writes the profile, both partitions (every neuron once), their
// routers, the comparison table and both sweeps, and in each the K = N column equals dense.
// With N = 2 the classic table's K = 4 and 8 do not exist (it stopped there with "K must be
// between 1 and 2, not 4" after all the work before).
#include "core/NmtTestSupport.h"

#include "cli/CliTestSupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using moewb::test::runCli;

namespace {

const QString kDing = QStringLiteral(MOEWB_TEST_DATA_DIR "/corpus/ding_small.txt");

nlohmann::json readJson(const QString& path) {
    return nlohmann::json::parse(moewb::test::readFile(path).toStdString(), nullptr, false);
}

}  // namespace

class TestDemoCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath("tiny.moewb");
        moewb::test::tinyModel()->save(m_model.toStdString());
    }

    void writesEveryArtifact() {
        const QString project = m_dir.filePath("demo");
        const auto run = runCli({"demo", "--model", m_model, "--project", project, "--experts", "2",
                                 "--tokens", "400", "--ding-path", kDing, "--threads", "1"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.startsWith("model: " + m_model + "\n"), qPrintable(run.out));
        QVERIFY2(
            run.out.contains("\ndone in ") && run.out.contains("; artifacts in " + project + "\n"),
            qPrintable(run.out));
        // Sparsity of every FFN layer, as a share.
        const QRegularExpression sparsity(R"(\n  (encoder|decoder)[01] +(\d+\.\d)%)");
        int layers = 0;
        for (auto it = sparsity.globalMatch(run.out); it.hasNext(); ++layers) {
            const double share = it.next().captured(2).toDouble();
            QVERIFY(share >= 0 && share <= 100);
        }
        QCOMPARE(layers, 4);
        QVERIFY(QFile::exists(project + "/profile/profile.bin"));

        for (const QString method : {"kmeans", "metis"}) {
            // Two experts of 32 neurons in each of the 4 layers, every neuron once.
            const auto partition = readJson(project + "/partitions/" + method + ".json");
            QCOMPARE(partition.at("layers").size(), std::size_t(4));
            for (const auto& layer : partition.at("layers")) {
                std::vector<int> seen(64, 0);
                QCOMPARE(layer.at("experts").size(), std::size_t(2));
                for (const auto& expert : layer.at("experts")) {
                    QCOMPARE(expert.size(), std::size_t(32));
                    for (int neuron : expert) {
                        ++seen.at(std::size_t(neuron));
                    }
                }
                QVERIFY(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
            }
            const auto router = readJson(project + "/routers/" + method + "-mlp.json");
            QCOMPARE(QString::fromStdString(router.at("partition")), method);
            QCOMPARE(router.at("num_experts").get<int>(), 2);

            // The sweep over the 60 demo sentences: K = 1, 2; K = N = 2 is the dense FFN.
            const auto sweep = readJson(project + "/sweeps/" + method + "-mlp.json");
            QCOMPARE(sweep.at("rows").size(), std::size_t(2));
            const auto& all = sweep.at("rows").at(1);
            QCOMPARE(all.at("encoder_k").get<int>(), 2);
            QCOMPARE(all.at("bleu").get<double>(), sweep.at("dense").at("bleu").get<double>());
            QCOMPARE(all.at("ffn_error").get<double>(), 0.0);
            QVERIFY(QFile::exists(project + "/sweeps/" + method + "-mlp.csv"));
            QVERIFY2(run.out.contains("K sweep: " + method +
                                      " experts, MLP router, N = 2, greedy, 60 demo sentences"),
                     qPrintable(run.out));
        }

        // The classic table: 10 ... 30 sentences, dense + the Ks that exist for N = 2.
        const auto table = readJson(project + "/sweeps/kmeans-mlp-comparison.json");
        QCOMPARE(table.at("sentence_counts"), nlohmann::json({10, 15, 20, 25, 30}));
        QCOMPARE(table.at("ks"), nlohmann::json({1, 2}));
        QCOMPARE(table.at("cells").size(), std::size_t(5));
        for (const auto& row : table.at("cells")) {
            QCOMPARE(row.size(), std::size_t(3));
            QCOMPARE(row.at(2).at("bleu").get<double>(), row.at(0).at("bleu").get<double>());
        }
        QVERIFY2(run.out.contains("Classic comparison (k-means experts, MLP router, N = 2"),
                 qPrintable(run.out));
    }

    // Checked before any work: N must split d_ff = 64 (exit 2, one line), counts in range; a
    // missing model or dictionary is named.
    void badInputIsOneLine() {
        const QString project = m_dir.filePath("bad"), missing = m_dir.filePath("missing.txt");
        const QString noModel = m_dir.filePath("missing.moewb");
        const QStringList demo = {"demo", "--model", m_model, "--project", project};
        const QString problems = moewb::test::checkBadRuns({
            {demo + QStringList{"--experts", "3", "--ding-path", kDing},
             "cannot split d_ff = 64 neurons into 3 experts"},
            {{"demo", "--project", project, "--tokens", "0"}, "--tokens 0 is out of range"},
            {{"demo", "--project", project, "--experts", "1"}, "--experts 1 is out of range"},
            {demo + QStringList{"--experts", "2", "--ding-path", missing}, missing, 1},
            {{"demo", "--model", noModel, "--project", m_dir.filePath("bad2"), "--ding-path",
              kDing},
             noModel,
             1},
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QVERIFY(!QFile::exists(project + "/profile/profile.bin"));
    }
};

QTEST_APPLESS_MAIN(TestDemoCommand)
#include "test_DemoCommand.moc"
