// `moewb profile` end to end on the shipped model and 8 of the 16 test pairs: the token and
// sentence counts it prints are the tokenizer's (counted here), the table it prints is what
// profile.bin holds (read here by hand from docs/formats.md, "Profile"), and the file keeps the
// format's invariants; bad input ends with one line.
#include "moewb/nmt/NmtModel.h"

#include "cli/CliTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using moewb::test::runCli;

namespace {

struct Layer {
    std::string name;
    int dFf = 0;
    long long tokens = 0;
    std::vector<long long> activations;
    std::vector<std::uint32_t> coactivation;  // d_ff x d_ff, row-major
};

// profile.bin: magic MOEWBPRF, u32 version 1, u64 header size, header JSON, then per layer
// d_ff i64 activation counts and d_ff x d_ff u32 co-activation counts. Empty on any mismatch.
std::vector<Layer> readProfile(const QString& path, nlohmann::json* header) {
    const QByteArray bytes = moewb::test::readFile(path);
    if (!bytes.startsWith("MOEWBPRF") || bytes.size() < 20) {
        return {};
    }
    std::uint32_t version = 0;
    std::uint64_t size = 0;
    std::memcpy(&version, bytes.constData() + 8, 4);
    std::memcpy(&size, bytes.constData() + 12, 8);
    *header = nlohmann::json::parse(bytes.mid(20, int(size)).toStdString());
    const char* data = bytes.constData() + 20 + size;
    std::vector<Layer> layers;
    for (const auto& entry : header->at("layers")) {
        Layer layer{entry.at("name"), entry.at("d_ff"), entry.at("tokens"), {}, {}};
        layer.activations.resize(std::size_t(layer.dFf));
        std::memcpy(layer.activations.data(), data, 8 * std::size_t(layer.dFf));
        data += 8 * std::size_t(layer.dFf);
        layer.coactivation.resize(std::size_t(layer.dFf) * std::size_t(layer.dFf));
        std::memcpy(layer.coactivation.data(), data, 4 * layer.coactivation.size());
        data += 4 * layer.coactivation.size();
        layers.push_back(std::move(layer));
    }
    if (version != 1 || data != bytes.constData() + bytes.size()) {
        return {};  // no byte may follow the last layer
    }
    return layers;
}

}  // namespace

class TestProfileCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_stem;
    moewb::test::Pairs m_pairs;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_stem = m_dir.filePath("pairs");
        const auto all = moewb::test::sixteenTextPairs();
        m_pairs.assign(all.begin(), all.begin() + 8);
        QVERIFY(moewb::test::writeMoses(m_stem, m_pairs));
    }

    // Every pair fits the budget: the sources count their tokens plus the end token, the
    // targets their tokens plus the begin token (TokenBatches.h), counted here with the model's
    // tokenizer. Each printed row is what the file holds.
    void countsAndTableMatchTheFile() {
        const QString project = m_dir.filePath("p");
        const auto run = runCli({"profile", project, "--src", m_stem + ".de", "--tgt",
                                 m_stem + ".en", "--tokens", "100000", "--threads", "1"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        const auto model = moewb::NmtModel::load(moewb::NmtModel::defaultModelPath());
        long long source = 0, target = 0;
        for (const auto& [de, en] : m_pairs) {
            source +=
                static_cast<long long>(model->tokenizer().encode(de.toStdString()).size()) + 1;
            target +=
                static_cast<long long>(model->tokenizer().encode(en.toStdString()).size()) + 1;
        }
        QVERIFY2(run.out.startsWith(QString("profiled %1 source + %2 target tokens of 8 sentences")
                                        .arg(source)
                                        .arg(target)),
                 qPrintable(run.out));

        nlohmann::json header;
        const auto layers = readProfile(project + "/profile/profile.bin", &header);
        QCOMPARE(layers.size(), std::size_t(6));  // 3 encoder + 3 decoder FFNs
        QCOMPARE(header.at("source_tokens").get<long long>(), source);
        QCOMPARE(header.at("target_tokens").get<long long>(), target);
        QCOMPARE(header.at("sentences").get<long long>(), 8LL);
        const QStringList names = {"encoder0", "encoder1", "encoder2",
                                   "decoder0", "decoder1", "decoder2"};
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const Layer& layer = layers[l];
            QCOMPARE(QString::fromStdString(layer.name), names[int(l)]);
            QCOMPARE(layer.dFf, 1024);
            // Encoder FFNs see the source tokens, decoder FFNs the target tokens.
            QCOMPARE(layer.tokens, l < 3 ? source : target);
            long long fired = 0;
            int dead = 0, always = 0;
            for (int i = 0; i < layer.dFf; ++i) {
                const long long a = layer.activations[std::size_t(i)];
                QVERIFY(a >= 0 && a <= layer.tokens);
                fired += a;
                dead += a == 0;
                always += a == layer.tokens;
                // The co-activation diagonal is the activation count; the matrix is symmetric.
                QCOMPARE(std::int64_t(layer.coactivation[std::size_t(i) * 1024 + std::size_t(i)]),
                         std::int64_t(a));
                const int j = (i * 37 + 11) % 1024;
                QCOMPARE(layer.coactivation[std::size_t(i) * 1024 + std::size_t(j)],
                         layer.coactivation[std::size_t(j) * 1024 + std::size_t(i)]);
            }
            const double zeros = 100.0 * (1.0 - double(fired) / double(layer.tokens * 1024));
            const QString row = QString("%1 %2 %3% %4 %5")
                                    .arg(names[int(l)])
                                    .arg(layer.tokens)
                                    .arg(zeros, 0, 'f', 1)
                                    .arg(dead)
                                    .arg(always);
            const QString pattern = "\n" + QString(row).replace(' ', " +") + "\n";
            QVERIFY2(run.out.contains(QRegularExpression(pattern)),
                     qPrintable(row + " not in\n" + run.out));
        }
        // The ReLU FFNs are sparse (resources/models/default.md: 70-90 % zeros).
        QVERIFY(run.out.contains(QRegularExpression("encoder0 +\\d+ +[6-9]\\d\\.\\d%")));
        // The step is recorded in the project it created.
        const auto document =
            nlohmann::json::parse(moewb::test::readFile(project + "/project.json").toStdString());
        QCOMPARE(document.at("steps").at("profile").at("tokens").get<int>(), 100000);
    }

    // The budget takes pairs in order until it is reached: one token more than the first pair
    // holds takes exactly two pairs.
    void theTokenBudgetTakesWholePairsInOrder() {
        const auto model = moewb::NmtModel::load(moewb::NmtModel::defaultModelPath());
        auto tokens = [&](const QString& text) {
            return static_cast<long long>(model->tokenizer().encode(text.toStdString()).size()) + 1;
        };
        const long long budget = tokens(m_pairs[0].first) + tokens(m_pairs[0].second) + 1;
        const auto run =
            runCli({"profile", m_dir.filePath("budget"), "--src", m_stem + ".de", "--tgt",
                    m_stem + ".en", "--tokens", QString::number(budget), "--threads", "1"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(
            run.out.startsWith(QString("profiled %1 source + %2 target tokens of 2 sentences")
                                   .arg(tokens(m_pairs[0].first) + tokens(m_pairs[1].first))
                                   .arg(tokens(m_pairs[0].second) + tokens(m_pairs[1].second))),
            qPrintable(run.out));
    }

    // Missing data, a file that is no model, a file where the project folder belongs: one line
    // naming it; bad counts before any work.
    void badInputIsOneLine() {
        const QString project = m_dir.filePath("bad"), missing = m_dir.filePath("missing.de");
        const QString text = m_dir.filePath("text.moewb");
        QVERIFY(moewb::test::writeFile(text, "no model\n"));
        const QStringList data = {"--src", m_stem + ".de", "--tgt", m_stem + ".en"};
        const QString problems = moewb::test::checkBadRuns({
            {{"profile", project, "--src", missing, "--tgt", m_stem + ".en"}, missing, 1},
            {QStringList{"profile", m_dir.filePath("bad2"), "--model", text} + data, text, 1},
            {QStringList{"profile", text} + data, text, 1},
            {{"profile", project, "--tokens", "0"}, "--tokens 0 is out of range"},
            {{"profile", project, "--tokens", "1e3"}, "--tokens needs a whole number"},
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
};

QTEST_APPLESS_MAIN(TestProfileCommand)
#include "test_ProfileCommand.moc"
