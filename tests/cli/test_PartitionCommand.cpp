// `moewb partition` end to end on the shipped model (6 FFN layers of d_ff 1024): every neuron of
// every layer lands in exactly one expert (or the shared set), experts have the sizes N asks
// for, the printed quality is the file's, the seed decides the split; N, the method and the
// project are checked with one-line errors.
#include "cli/CliTestSupport.h"

#include "moewb/project/Project.h"

#include <QTemporaryDir>
#include <QtTest>

using moewb::test::runCli;

namespace {

constexpr int kDff = 1024;  // the shipped model's FFN width (resources/models/default.md)

// Empty when the partition file splits every layer into `n` experts of `size` neurons plus
// `shared` shared neurons, each neuron of 0..d_ff-1 exactly once, expert lists sorted.
QString checkCover(const nlohmann::json& file, int n, int size, int shared) {
    if (file.at("layers").size() != 6) {
        return "layers: " + QString::number(file.at("layers").size());
    }
    for (const auto& layer : file.at("layers")) {
        const QString name = QString::fromStdString(layer.at("layer"));
        std::vector<int> seen(kDff, 0);
        if (layer.at("num_experts").get<int>() != n || int(layer.at("experts").size()) != n) {
            return name + ": expert count";
        }
        for (const auto& expert : layer.at("experts")) {
            if (int(expert.size()) != size) {
                return name + ": an expert of " + QString::number(expert.size());
            }
            if (!std::is_sorted(expert.begin(), expert.end())) {
                return name + ": unsorted expert";
            }
            for (int neuron : expert) {
                ++seen.at(std::size_t(neuron));
            }
        }
        if (int(layer.value("shared", nlohmann::json::array()).size()) != shared) {
            return name + ": shared count";
        }
        for (int neuron : layer.value("shared", nlohmann::json::array())) {
            ++seen.at(std::size_t(neuron));
        }
        for (int i = 0; i < kDff; ++i) {
            if (seen[std::size_t(i)] != 1) {
                return name +
                       QString(": neuron %1 appears %2 times").arg(i).arg(seen[std::size_t(i)]);
            }
        }
    }
    return {};
}

nlohmann::json readJson(const QString& path) {
    return nlohmann::json::parse(moewb::test::readFile(path).toStdString(), nullptr, false);
}

}  // namespace

class TestPartitionCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("p");
        moewb::Project::create(m_project.toStdString());  // on the shipped model
    }

    // 8 experts: 1024 / 8 = 128 neurons each. The same seed gives the same split, another seed
    // another one; the options are recorded in the project.
    void randomCoversEveryNeuronOnce() {
        const auto run = runCli({"partition", m_project, "--method", "random", "--experts", "8"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        const QString path = m_project + "/partitions/random.json";
        QVERIFY2(run.out.contains("saved " + path + " (random, 8 experts of 128 neurons)\n"),
                 qPrintable(run.out));
        const auto file = readJson(path);
        QCOMPARE(QString::fromStdString(file.at("method")), QStringLiteral("random"));
        const QString cover = checkCover(file, 8, 128, 0);
        QVERIFY2(cover.isEmpty(), qPrintable(cover));
        const auto project = readJson(m_project + "/project.json");
        QCOMPARE(project.at("steps").at("partition:random").at("num_experts").get<int>(), 8);

        const auto same = runCli(
            {"partition", m_project, "--method", "random", "--experts", "8", "--name", "same"});
        QVERIFY2(same.finished && same.exitCode == 0, qPrintable(same.err));
        QCOMPARE(readJson(m_project + "/partitions/same.json").at("layers"), file.at("layers"));
        const auto other = runCli({"partition", m_project, "--method", "random", "--experts", "8",
                                   "--seed", "2", "--name", "other"});
        QVERIFY2(other.finished && other.exitCode == 0, qPrintable(other.err));
        const auto reseeded = readJson(m_project + "/partitions/other.json");
        QVERIFY(checkCover(reseeded, 8, 128, 0).isEmpty());
        QVERIFY(reseeded.at("layers") != file.at("layers"));
    }

    // Balanced k-means, 16 experts of 64; the quality figures printed per layer are the file's
    // (printed with 4 significant digits).
    void kmeansPrintsTheQualityItSaves() {
        const auto run = runCli({"partition", m_project, "--method", "kmeans", "--experts", "16"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("(kmeans, 16 experts of 64 neurons)"), qPrintable(run.out));
        const auto file = readJson(m_project + "/partitions/kmeans.json");
        const QString cover = checkCover(file, 16, 64, 0);
        QVERIFY2(cover.isEmpty(), qPrintable(cover));
        for (const auto& layer : file.at("layers")) {
            const double inertia = layer.at("quality").at("inertia");
            QVERIFY(inertia > 0);
            const QString item = QString::asprintf("inertia=%.4g ", inertia);
            const QString row =
                moewb::test::valueAfter(run.out, QString::fromStdString(layer.at("layer")));
            QVERIFY2(row.contains(item.trimmed()), qPrintable(row + " lacks " + item));
        }
    }

    // Importance (MoEBERT) keeps 64 shared neurons in every expert and deals the other 960 to
    // 16 experts of 60.
    void importanceSharesNeurons() {
        const QString stem = m_dir.filePath("pairs");
        QVERIFY(moewb::test::writeMoses(stem, moewb::test::sixteenTextPairs()));
        const auto run = runCli({"partition", m_project, "--method", "importance", "--experts",
                                 "16", "--shared", "64", "--tokens", "200", "--src", stem + ".de",
                                 "--tgt", stem + ".en", "--threads", "1"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("(importance, 16 experts of 60 neurons + 64 shared)"),
                 qPrintable(run.out));
        const auto file = readJson(m_project + "/partitions/importance.json");
        const QString cover = checkCover(file, 16, 60, 64);
        QVERIFY2(cover.isEmpty(), qPrintable(cover));
        QCOMPARE(file.at("options").at("shared_neurons").get<int>(), 64);
        QVERIFY(file.at("options").at("sample_sentences").get<int>() > 0);
    }

    // N must be a power of two dividing d_ff: refused up front with the choices, exit 2 (it
    // was exit 1 after loading the model); likewise an unknown method and too many shared
    // neurons. metis needs the profile; a missing project is named.
    void badInputIsOneLine() {
        const QString missing = m_dir.filePath("no-project");
        const QStringList partition = {"partition", m_project};
        const QString problems = moewb::test::checkBadRuns({
            {partition + QStringList{"--method", "random", "--experts", "3"},
             "cannot split d_ff = 1024 neurons into 3 experts: the number of experts must be a "
             "power of two >= 2 that divides d_ff, so that every expert has exactly d_ff / N "
             "neurons; choose one of 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024"},
            {partition + QStringList{"--experts", "1"}, "--experts 1 is out of range"},
            {partition + QStringList{"--method", "spectral"},
             "--method is metis, kmeans, importance or random, not 'spectral'"},
            {partition + QStringList{"--method", "importance", "--shared", "1024"}, "shared"},
            {partition + QStringList{"--method", "metis", "--name", "no-profile"}, "profile", 1},
            {{"partition", missing, "--method", "random"}, missing, 1},
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QVERIFY(!QFile::exists(m_project + "/partitions/spectral.json"));
        QVERIFY(!QFile::exists(m_project + "/partitions/no-profile.json"));
    }
};

QTEST_APPLESS_MAIN(TestPartitionCommand)
#include "test_PartitionCommand.moc"
