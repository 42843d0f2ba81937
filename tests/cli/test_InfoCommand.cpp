// `moewb info` end to end: the shipped model's configuration and size as documented in
// resources/models/default.md, its parameter count recomputed from the printed configuration,
// its training record; damaged files end with one line naming the file.
#include "moewb/nmt/NmtModel.h"

#include "cli/CliTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

using moewb::test::valueAfter;

namespace {

// Parameters of a configuration, counted from the tensor list of docs/formats.md ("Model
// file"): the shared embedding, per encoder layer two norms, self-attention and the FFN, per
// decoder layer three norms, two attentions and the FFN, and the two final norms.
long long parameterCount(const nlohmann::json& config) {
    const long long v = config.at("vocab_size"), d = config.at("d_model"), f = config.at("d_ff");
    const long long norm = 2 * d;                               // weight and bias
    const long long attention = 3 * d * d + 3 * d + d * d + d;  // in_weight/bias, out_weight/bias
    const long long ffn = f * d + f + d * f + d;                // w1, b1, w2, b2
    const long long encoder = 2 * norm + attention + ffn;
    const long long decoder = 3 * norm + 2 * attention + ffn;
    return v * d + config.at("encoder_layers").get<long long>() * encoder +
           config.at("decoder_layers").get<long long>() * decoder + 2 * norm;
}

}  // namespace

class TestInfoCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // resources/models/default.md: d_model 256, 4 heads, 3 + 3 layers, d_ff 1024, dropout
    // 0.1, 8 000 pieces, 7 578 624 parameters, 4.3 epochs of training in 2 906 steps, the last
    // valid loss 2.15.
    void showsTheShippedModel() {
        const QString path = QString::fromStdString(moewb::NmtModel::defaultModelPath());
        const auto runs =
            moewb::test::runClis({{"info"}, {"info", path}, {"info", "--model", path}});
        const auto& run = runs[0];
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(valueAfter(run.out, "model "),
                 QString::fromStdString(moewb::NmtModel::defaultModelPath()));
        const auto config = nlohmann::json::parse(valueAfter(run.out, "config ").toStdString());
        QCOMPARE(config.at("d_model").get<int>(), 256);
        QCOMPARE(config.at("heads").get<int>(), 4);
        QCOMPARE(config.at("encoder_layers").get<int>(), 3);
        QCOMPARE(config.at("decoder_layers").get<int>(), 3);
        QCOMPARE(config.at("d_ff").get<int>(), 1024);
        QCOMPARE(config.at("vocab_size").get<int>(), 8000);
        QCOMPARE(config.at("dropout").get<double>(), 0.1);
        QCOMPARE(valueAfter(run.out, "vocabulary "), QStringLiteral("8000 SentencePiece pieces"));
        QCOMPARE(valueAfter(run.out, "parameters ").toLongLong(), 7578624LL);
        QCOMPARE(valueAfter(run.out, "parameters ").toLongLong(), parameterCount(config));

        // The record is the rest of the output, one JSON object.
        const QString record = run.out.section("training    ", 1);
        const auto training = nlohmann::json::parse(record.toStdString(), nullptr, false);
        QVERIFY2(training.is_object(), qPrintable(record.left(200)));
        QCOMPARE(training.at("epochs").size(), std::size_t(6));
        long long steps = 0;
        for (const auto& epoch : training.at("epochs")) {
            steps += epoch.at("steps").get<long long>();
        }
        QCOMPARE(steps, 2906LL);
        QVERIFY(std::abs(training.at("epochs").back().at("valid_loss").get<double>() - 2.15) <
                0.005);
        QVERIFY(std::abs(training.at("best_valid_loss").get<double>() - 2.15) < 0.005);
        // The same model given explicitly, as MODEL or --model, prints the same.
        QCOMPARE(runs[1].out, run.out);
        QCOMPARE(runs[2].out, run.out);
    }

    // A file that is no model, a truncated one and a missing one: one line naming the file
    // (and what is wrong), exit 1, nothing on stdout.
    void badFilesAreOneLineErrors() {
        QTemporaryDir dir;
        const QString text = dir.filePath("text.moewb"), truncated = dir.filePath("cut.moewb");
        const QString missing = dir.filePath("missing.moewb");
        QVERIFY(moewb::test::writeFile(text, "not a model\n"));
        const QByteArray model =
            moewb::test::readFile(QString::fromStdString(moewb::NmtModel::defaultModelPath()));
        QVERIFY(moewb::test::writeFile(truncated, model.left(model.size() / 2)));
        const auto runs = moewb::test::runClis({{"info", text},
                                                {"info", truncated},
                                                {"info", missing},
                                                {"info", text, "--model", text}});
        const QStringList named = {text, truncated, missing};
        for (int i = 0; i < named.size(); ++i) {
            QVERIFY2(runs[i].isRunError(named[i]), qPrintable(named[i] + " | " + runs[i].err));
        }
        QVERIFY2(runs[1].errorLine().contains("truncated"), qPrintable(runs[1].err));
        QVERIFY(runs[3].isUsageError("give the model once"));
    }
};

QTEST_APPLESS_MAIN(TestInfoCommand)
#include "test_InfoCommand.moc"
