// `moewb train` end to end on the 16 test pairs with the tiny model of tests/core/NmtTestSupport.h:
// the model it writes has the asked configuration, size, precision and record; a run stopped
// after 2 epochs (by --epochs or by a kill) and resumed from its checkpoint ends with the same
// weights as an uninterrupted one; options and data are checked with one-line errors.
#include "moewb/nmt/NmtModel.h"

#include "cli/CliTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using moewb::test::runCli;
using moewb::test::tinyTrainArgs;

namespace {

// Rows of the printed epoch table: "epoch steps train-loss valid-loss tok/s minutes".
QList<QStringList> epochRows(const QString& out) {
    QList<QStringList> rows;
    for (const QString& line : out.split('\n')) {
        const QStringList cells = line.split(' ', Qt::SkipEmptyParts);
        if (cells.size() >= 6 && cells[0].toInt() > 0) {
            rows << cells;
        }
    }
    return rows;
}

// Empty when both models hold exactly the same weights; else the first that differs.
QString weightDifference(const QString& a, const QString& b) {
    const auto first = moewb::NmtModel::load(a.toStdString());
    const auto second = moewb::NmtModel::load(b.toStdString());
    const auto x = first->transformer()->named_parameters();
    const auto y = second->transformer()->named_parameters();
    if (x.size() != y.size()) {
        return "parameter lists differ";
    }
    for (const auto& item : x) {
        if (!torch::equal(item.value(), y[item.key()])) {
            return QString::fromStdString(item.key());
        }
    }
    return {};
}

}  // namespace

class TestTrainCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_stem;
    QString m_full;                 // 4 epochs in one run
    QList<QStringList> m_fullRows;  // its epoch table

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_stem = m_dir.filePath("pairs");
        QVERIFY(moewb::test::writeMoses(m_stem, moewb::test::sixteenTextPairs()));
        m_full = m_dir.filePath("full.moewb");
        const auto run =
            runCli(tinyTrainArgs(m_stem) + QStringList{"--epochs", "4", "--out", m_full});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        // 16 pairs, validated on the same 16 (explicit --valid-src).
        QVERIFY2(run.err.contains("training on 16 sentence pairs, validating on 16 pairs"),
                 qPrintable(run.err));
        const auto rows = m_fullRows = epochRows(run.out);
        QCOMPARE(rows.size(), 4);
        for (int e = 0; e < 4; ++e) {
            QCOMPARE(rows[e][0].toInt(), e + 1);
        }
        // Overfitting 16 pairs: the validation loss falls every epoch.
        for (int e = 1; e < 4; ++e) {
            QVERIFY2(rows[e][3].toDouble() < rows[e - 1][3].toDouble(), qPrintable(run.out));
        }
        QVERIFY2(run.out.contains("stopped: max epochs after"), qPrintable(run.out));
        QVERIFY2(run.out.contains("wrote " + m_full + " (46720 parameters)"), qPrintable(run.out));
    }

    // The written file has the configuration asked for (checked in its header, read by hand),
    // float32 weights, the parameter count printed, and the training record `moewb info` shows.
    void theModelIsTheOneAskedFor() {
        const auto header = moewb::test::readModelHeader(m_full);
        QVERIFY(header.is_object());
        const auto& config = header.at("config");
        QCOMPARE(config.at("d_model").get<int>(), 32);
        QCOMPARE(config.at("heads").get<int>(), 2);
        QCOMPARE(config.at("encoder_layers").get<int>(), 2);
        QCOMPARE(config.at("decoder_layers").get<int>(), 2);
        QCOMPARE(config.at("d_ff").get<int>(), 64);
        QCOMPARE(config.at("vocab_size").get<int>(), 120);
        QCOMPARE(header.at("weights_dtype").get<std::string>(), std::string("float32"));

        const auto info = runCli({"info", m_full});
        QVERIFY2(info.finished && info.exitCode == 0, qPrintable(info.err));
        // The SentencePiece vocabulary was trained to the --vocab size.
        QCOMPARE(moewb::test::valueAfter(info.out, "vocabulary "),
                 QStringLiteral("120 SentencePiece pieces"));
        const auto record =
            nlohmann::json::parse(info.out.section("training    ", 1).toStdString());
        QCOMPARE(record.at("epochs").size(), std::size_t(4));
        QCOMPARE(record.at("stop_reason").get<std::string>(), std::string("max epochs"));
        QVERIFY(QString::fromStdString(record.at("command")).startsWith("moewb train --src "));
        // d_model 32, d_ff 64, 120 pieces, 2 + 2 layers, counted as in test_InfoCommand from
        // the tensor list of docs/formats.md: embedding 3 840 + 2 encoder layers of 8 544 + 2
        // decoder layers of 12 832 + final norms 128 = 46 720.
        QCOMPARE(moewb::test::valueAfter(info.out, "parameters ").toLongLong(), 46720LL);
    }

    // --fp16 writes float16 weights, half the size of the tensor data.
    void fp16WritesHalfWeights() {
        const QString half = m_dir.filePath("half.moewb");
        const auto run =
            runCli(tinyTrainArgs(m_stem) + QStringList{"--epochs", "1", "--fp16", "--out", half});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        const auto header = moewb::test::readModelHeader(half);
        QCOMPARE(header.at("weights_dtype").get<std::string>(), std::string("float16"));
        QCOMPARE(header.at("data_bytes").get<long long>(), 2 * 46720LL);
    }

    // Stopped after epoch 2 by --epochs, then resumed to 4 from the checkpoint: the same
    // epochs table and bit for bit the same weights as the uninterrupted run (training is
    // seeded and runs on one thread; the checkpoint holds weights, Adam state and step).
    void aResumedRunEndsWhereAnUninterruptedOneDoes() {
        const QString checkpoint = m_dir.filePath("checkpoint");
        const QStringList args =
            tinyTrainArgs(m_stem) + QStringList{"--checkpoint", checkpoint, "--resume"};
        const auto first =
            runCli(args + QStringList{"--epochs", "2", "--out", m_dir.filePath("two.moewb")});
        QVERIFY2(first.finished && first.exitCode == 0, qPrintable(first.err));
        const auto state =
            nlohmann::json::parse(moewb::test::readFile(checkpoint + "/state.json").toStdString());
        QCOMPARE(state.at("epoch").get<int>(), 2);

        const QString resumed = m_dir.filePath("resumed.moewb");
        const auto second = runCli(args + QStringList{"--epochs", "4", "--out", resumed});
        QVERIFY2(second.finished && second.exitCode == 0, qPrintable(second.err));
        QVERIFY2(second.err.contains("resuming after epoch 2"), qPrintable(second.err));
        QVERIFY2(!second.err.contains("epoch 1 step") && !second.err.contains("epoch 2 step"),
                 qPrintable(second.err));
        const auto rows = epochRows(second.out);
        QCOMPARE(rows.size(), 4);
        // Steps and losses (not speed or time) as in the uninterrupted run.
        for (int e = 0; e < 4; ++e) {
            QCOMPARE(rows[e].mid(0, 4), m_fullRows[e].mid(0, 4));
        }
        const QString diff = weightDifference(resumed, m_full);
        QVERIFY2(diff.isEmpty(), qPrintable("differs in " + diff));
    }

    // Killed once epoch 3 has begun (wherever it is by then, even inside a checkpoint: the
    // files are written as a set, CheckpointFiles.h), the run resumes from its last whole
    // epoch and ends with the weights of an uninterrupted run, computed meanwhile. 8 epochs
    // leave time for the kill to land before the end on a loaded machine.
    void aKilledRunResumesFromItsLastEpoch() {
        const QStringList tiny = tinyTrainArgs(m_stem) + QStringList{"--epochs", "8"};
        const QString reference = m_dir.filePath("eight.moewb");
        QProcess uninterrupted;
        uninterrupted.setProcessEnvironment(moewb::test::cliEnvironment());
        uninterrupted.start(QStringLiteral(MOEWB_CLI), tiny + QStringList{"--out", reference});

        const QString checkpoint = m_dir.filePath("killed");
        const QString out = m_dir.filePath("killed.moewb");
        const QStringList args =
            tiny + QStringList{"--checkpoint", checkpoint, "--resume", "--out", out};
        QProcess process;
        process.setProcessEnvironment(moewb::test::cliEnvironment());
        process.setReadChannel(
            QProcess::StandardError);  // progress; waitForReadyRead() waits on it
        process.start(QStringLiteral(MOEWB_CLI), args);
        QVERIFY(process.waitForStarted(30000));
        QByteArray err;
        // Progress names every step ("epoch 3 step 7"); epoch 3 starts after the checkpoint
        // of epoch 2 was written.
        while (!err.contains("epoch 3 step") && process.state() == QProcess::Running &&
               process.waitForReadyRead(60000)) {
            err += process.readAllStandardError();
        }
        QVERIFY2(err.contains("epoch 3 step"), err.constData());
        ::kill(static_cast<pid_t>(process.processId()), SIGKILL);
        process.waitForFinished();
        QVERIFY2(!QFile::exists(out), "the run ended before it was killed");
        QVERIFY(uninterrupted.waitForFinished(300000) && uninterrupted.exitCode() == 0);

        const auto resumed = runCli(args);
        QVERIFY2(resumed.finished && resumed.exitCode == 0, qPrintable(resumed.err));
        const QRegularExpression resuming("resuming after epoch (\\d+)");
        const auto match = resuming.match(resumed.err);
        QVERIFY2(match.hasMatch() && match.captured(1).toInt() >= 2, qPrintable(resumed.err));
        QCOMPARE(epochRows(resumed.out).size(), 8);
        const QString diff = weightDifference(out, reference);
        QVERIFY2(diff.isEmpty(), qPrintable("differs in " + diff));
    }

    // Options are checked before any data is read (exit 2); missing data and a damaged
    // checkpoint are named (exit 1). Nothing is written.
    void badOptionsAndDataAreOneLineErrors() {
        const QStringList tiny = tinyTrainArgs(m_stem);
        QTemporaryDir dir;
        const QString out = dir.filePath("bad.moewb"), missing = dir.filePath("missing.de");
        const QString checkpoint = dir.filePath("ck");
        QVERIFY(QDir().mkpath(checkpoint));
        QVERIFY(moewb::test::writeFile(checkpoint + "/state.json",
                                       "{\"format\": \"moewb-training-state\", \"version\": 1}\n"));
        const QString problems = moewb::test::checkBadRuns({
            {{"train", "--src", m_stem + ".de", "--tgt", m_stem + ".en"},
             "--out MODEL is required"},
            // d_model 32 does not split into 3 heads.
            {tiny + QStringList{"--heads", "3", "--out", out}, "heads"},
            // A batch must hold the longest pair, 2 x 40 + 2 tokens (it failed later, exit 1,
            // without naming the option).
            {tiny + QStringList{"--batch-tokens", "50", "--out", out},
             "--batch-tokens 50 is out of range: use a whole number from 82"},
            {tiny + QStringList{"--resume", "--out", out}, "--resume needs --checkpoint DIR"},
            {{"train", "--src", m_stem + ".de", "--out", out}, "--src and --tgt go together"},
            {{"train", "--src", missing, "--tgt", m_stem + ".en", "--out", out}, missing, 1},
            {tiny + QStringList{"--checkpoint", checkpoint, "--resume", "--out", out},
             checkpoint + "/state.json: not a training checkpoint state", 1},
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_APPLESS_MAIN(TestTrainCommand)
#include "test_TrainCommand.moc"
