// `moewb sweep` end to end on the shipped model, 4 random experts and 5 test pairs: at K = N
// every expert runs, so that row must equal dense (BLEU, FFN error 0, compute 100 %, recall 1);
// the dense BLEU is the one `moewb eval` and `moewb bleu` compute on the same sentences; the CSV
// and JSON files agree with each other and the documented columns; bad input is one line.
#include "cli/CliTestSupport.h"

#include "moewb/project/Project.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using moewb::test::runCli;

namespace {

// The CSV columns of docs/formats.md ("Sweep file").
const QString kCsvHeader =
    "partition,router,encoder_k,decoder_k,bleu,seconds,ffn_seconds,speedup,speedup_spread,"
    "ffn_speedup,target_tokens,ms_per_token,token_speedup,token_speedup_spread,rounds,recall,"
    "ffn_error,threshold,compute";

nlohmann::json readJson(const QString& path) {
    return nlohmann::json::parse(moewb::test::readFile(path).toStdString(), nullptr, false);
}

// The CSV row with these Ks as column name -> text.
QMap<QString, QString> csvRow(const QString& csv, int encoderK, int decoderK) {
    const QStringList lines = csv.split('\n', Qt::SkipEmptyParts);
    const QStringList columns = lines.value(0).split(',');
    for (const QString& line : lines.mid(1)) {
        const QStringList cells = line.split(',');
        if (cells.value(2).toInt() == encoderK && cells.value(3).toInt() == decoderK) {
            QMap<QString, QString> row;
            for (int i = 0; i < columns.size(); ++i) {
                row[columns[i]] = cells.value(i);
            }
            return row;
        }
    }
    return {};
}

}  // namespace

class TestSweepCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project, m_stem;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("p");
        m_stem = m_dir.filePath("test");
        const auto all = moewb::test::sixteenTextPairs();
        QVERIFY(moewb::test::writeMoses(m_stem, {all.begin(), all.begin() + 5}));
        moewb::Project::create(m_project.toStdString());  // on the shipped model
        const auto partition =
            runCli({"partition", m_project, "--method", "random", "--experts", "4"});
        QVERIFY2(partition.finished && partition.exitCode == 0, qPrintable(partition.err));
        QList<QStringList> routes;
        for (const char* router : {"similarity", "hash"}) {
            routes << QStringList{"route",    m_project,      "--partition", "random",
                                  "--router", router,         "--src",       m_stem + ".de",
                                  "--tgt",    m_stem + ".en", "--tokens",    "300"};
        }
        for (const auto& route : moewb::test::runClis(routes)) {
            QVERIFY2(route.finished && route.exitCode == 0, qPrintable(route.err));
        }
    }

    void kEqualToNIsDense() {
        const auto run =
            runCli({"sweep", m_project, "--router", "random-similarity", "--ks", "1,4", "--src",
                    m_stem + ".de", "--ref", m_stem + ".en", "--rounds", "1", "--threads", "1"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.startsWith("sweep of similarity over random on "), qPrintable(run.out));
        QVERIFY2(run.out.contains("(5 sentences, greedy)"), qPrintable(run.out));
        const auto json = readJson(m_project + "/sweeps/random-similarity.json");
        QCOMPARE(json.at("num_experts").get<int>(), 4);
        QCOMPARE(json.at("rows").size(), std::size_t(2));
        const auto& dense = json.at("dense");
        const auto& one = json.at("rows").at(0);
        const auto& all = json.at("rows").at(1);
        QCOMPARE(all.at("encoder_k").get<int>(), 4);
        QCOMPARE(all.at("decoder_k").get<int>(), 4);
        QCOMPARE(all.at("bleu").get<double>(), dense.at("bleu").get<double>());
        QCOMPARE(all.at("ffn_error").get<double>(), 0.0);
        QCOMPARE(all.at("recall").get<double>(), 1.0);
        QVERIFY(std::abs(all.at("compute").get<double>() - 1.0) < 0.05);  // + the router's share
        QCOMPARE(all.at("target_tokens"), dense.at("target_tokens"));
        // K = 1 runs one expert of four: about a quarter of the multiply-adds, some error.
        QVERIFY2(one.at("compute").get<double>() < 0.4, one.dump().c_str());
        QVERIFY2(one.at("ffn_error").get<double>() > 0.01, one.dump().c_str());
        QVERIFY(one.at("recall").get<double>() < 1.0);

        // The dense BLEU is the one of `moewb eval` on the same pairs, and `moewb bleu` of its
        // hypotheses (three commands, one number).
        const QString hyp = m_dir.filePath("dense.en");
        const auto eval = runCli({"eval", "--src", m_stem + ".de", "--ref", m_stem + ".en",
                                  "--rounds", "1", "--hyp-out", hyp, "--threads", "1"});
        QVERIFY2(eval.finished && eval.exitCode == 0, qPrintable(eval.err));
        const auto bleu = runCli({"bleu", hyp, m_stem + ".en", "--json"});
        QVERIFY2(bleu.finished && bleu.exitCode == 0, qPrintable(bleu.err));
        const double score = nlohmann::json::parse(bleu.out.toStdString()).at("score");
        QVERIFY2(std::abs(dense.at("bleu").get<double>() - score) < 1e-9,
                 qPrintable(
                     QString("sweep %1, bleu %2").arg(dense.at("bleu").get<double>()).arg(score)));
        QVERIFY2(eval.out.contains(QString("BLEU = %1 ").arg(score, 0, 'f', 2)),
                 qPrintable(eval.out));

        // The CSV: the documented header, then dense, then one line per row, as the JSON.
        const QString csv =
            QString::fromUtf8(moewb::test::readFile(m_project + "/sweeps/random-similarity.csv"));
        QCOMPARE(csv.section('\n', 0, 0), kCsvHeader);
        QCOMPARE(csv.count('\n'), 4);
        const auto row = csvRow(csv, 4, 4);
        QCOMPARE(row.value("partition"), QStringLiteral("random"));
        QCOMPARE(row.value("router"), QStringLiteral("similarity"));
        QCOMPARE(row.value("bleu"), QString::number(dense.at("bleu").get<double>(), 'f', 2));
        QCOMPARE(row.value("ffn_error").toDouble(), 0.0);
        QCOMPARE(row.value("target_tokens").toLongLong(), all.at("target_tokens").get<long long>());
        const auto kOne = csvRow(csv, 1, 1);
        QCOMPARE(kOne.value("bleu"), QString::number(one.at("bleu").get<double>(), 'f', 2));
    }

    // A hash router needs token ids to route, so it measures no FFN error below K = N (NaN,
    // null in JSON); at K = N there is nothing to route and the error is 0 (it was NaN too).
    void aHashRouterAtKEqualToNHasNoError() {
        const auto run =
            runCli({"sweep", m_project, "--router", "random-hash", "--ks", "2,4", "--src",
                    m_stem + ".de", "--ref", m_stem + ".en", "--rounds", "1", "--threads", "1"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        const auto json = readJson(m_project + "/sweeps/random-hash.json");
        QVERIFY(json.at("rows").at(0).at("ffn_error").is_null());
        QCOMPARE(json.at("rows").at(1).at("ffn_error").get<double>(), 0.0);
        QCOMPARE(json.at("rows").at(1).at("bleu").get<double>(),
                 json.at("dense").at("bleu").get<double>());
    }

    // Ks beyond the partition's N and other bad options: exit 2 before any work; a missing
    // router and references one line short are named, exit 1.
    void badInputIsOneLine() {
        const QString shortRef = m_dir.filePath("short.en");
        QVERIFY(moewb::test::writeFile(shortRef, "A man rides a bicycle.\n"));
        const QStringList sweep = {"sweep", m_project, "--router", "random-similarity"};
        const QString problems = moewb::test::checkBadRuns({
            {sweep + QStringList{"--ks", "1,5"},
             "--ks 5 is out of range: use a whole number from 1 to 4"},
            {sweep + QStringList{"--src", m_stem + ".de"}, "--src and --ref go together"},
            {{"sweep", m_project}, "--router NAME is required"},
            {{"sweep", m_project, "--router", "nope"}, "routers/nope.json", 1},
            {sweep + QStringList{"--src", m_stem + ".de", "--ref", shortRef}, "short.en", 1},
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
};

QTEST_APPLESS_MAIN(TestSweepCommand)
#include "test_SweepCommand.moc"
