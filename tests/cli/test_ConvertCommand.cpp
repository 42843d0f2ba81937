// `moewb convert` end to end: float16 <-> float32 round trips keep the weights (and so the
// translations), a float16 file is half the size, a float32 model not made of float16 values
// rounds to the nearest float16 within its half-unit; bad input ends with one line.
#include "core/NmtTestSupport.h"
#include "moewb/nmt/NmtModel.h"

#include "cli/CliTestSupport.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using moewb::test::readModelHeader;
using moewb::test::runCli;
using moewb::test::runClis;

namespace {

const QString kDefault = QString::fromStdString(moewb::NmtModel::defaultModelPath());

// Every tensor of the header has this dtype, as does weights_dtype (docs/formats.md).
bool allTensorsAre(const nlohmann::json& header, const std::string& dtype) {
    if (!header.is_object() || header.value("weights_dtype", "") != dtype) {
        return false;
    }
    for (const auto& tensor : header.at("tensors")) {
        if (tensor.value("dtype", dtype) != dtype) {
            return false;
        }
    }
    return true;
}

}  // namespace

class TestConvertCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_wide;  // the shipped model converted to float32

private Q_SLOTS:
    // The shipped model is float16 (resources/models/default.md): to float32 and back gives the
    // shipped file byte for byte (the record is kept, the weights are the same float16 values).
    // The float32 file holds 2 more bytes for each of the 7 578 624 parameters; the header
    // grows by a few digits of larger offsets (under 1 KB). No flag means float32.
    void float16RoundTripIsExact() {
        m_wide = m_dir.filePath("f32.moewb");
        const QString plain = m_dir.filePath("plain.moewb"), narrow = m_dir.filePath("f16.moewb");
        const auto runs =
            runClis({{"convert", kDefault, m_wide, "--fp32"}, {"convert", kDefault, plain}});
        QVERIFY2(runs[0].finished && runs[0].exitCode == 0, qPrintable(runs[0].err));
        QCOMPARE(runs[0].out, QString("wrote %1 (float32 weights)\n").arg(m_wide));
        QCOMPARE(runs[1].out, QString("wrote %1 (float32 weights)\n").arg(plain));
        const auto down = runCli({"convert", m_wide, narrow, "--fp16"});
        QVERIFY2(down.finished && down.exitCode == 0, qPrintable(down.err));
        QCOMPARE(down.out, QString("wrote %1 (float16 weights)\n").arg(narrow));

        QVERIFY(allTensorsAre(readModelHeader(kDefault), "float16"));
        QVERIFY(allTensorsAre(readModelHeader(m_wide), "float32"));
        QVERIFY(allTensorsAre(readModelHeader(narrow), "float16"));
        const qint64 grown = QFileInfo(m_wide).size() - QFileInfo(kDefault).size();
        QVERIFY2(grown >= 2 * 7578624LL && grown < 2 * 7578624LL + 1024,
                 qPrintable(QString::number(grown)));
        QVERIFY(moewb::test::readFile(narrow) == moewb::test::readFile(kDefault));
        QVERIFY(moewb::test::readFile(plain) == moewb::test::readFile(m_wide));
    }

    // The float32 copy of the float16 model translates exactly as the model itself (the same
    // weights; docs/algorithms.md, "float16 weights, exactly").
    void theFloat32CopyTranslatesTheSame() {
        QVERIFY(QFileInfo::exists(m_wide));
        const QByteArray input =
            "Ein Mann fährt Fahrrad.\nDas Wetter ist heute schön.\n"
            "Kannst du mir bitte helfen?\n";
        const auto shipped = runCli({"translate", "--threads", "1"}, input);
        const auto copy = runCli({"translate", "--threads", "1", "--model", m_wide}, input);
        QVERIFY2(shipped.finished && shipped.exitCode == 0, qPrintable(shipped.err));
        QVERIFY2(copy.finished && copy.exitCode == 0, qPrintable(copy.err));
        QCOMPARE(copy.out.count('\n'), 3);
        QCOMPARE(copy.out, shipped.out);
    }

    // A float32 model of arbitrary weights (the seeded tiny model) converted to float16 loads
    // back with every weight within half a float16 unit: relative error at most 2^-11 (plus an
    // absolute 2^-25 for subnormals). Its file shrinks by 2 bytes a parameter (and the few
    // digits the smaller offsets save in the header).
    void float32WeightsRoundToNearestFloat16() {
        const QString wide = m_dir.filePath("tiny32.moewb"),
                      narrow = m_dir.filePath("tiny16.moewb");
        const auto model = moewb::test::tinyModel();
        model->save(wide.toStdString(), moewb::WeightPrecision::Float32);
        const auto run = runCli({"convert", wide, narrow, "--fp16"});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        const auto parameters = model->parameterCount();
        const qint64 saved = QFileInfo(wide).size() - QFileInfo(narrow).size();
        QVERIFY2(saved >= 2 * parameters && saved < 2 * parameters + 1024,
                 qPrintable(QString::number(saved)));
        const auto loaded = moewb::NmtModel::load(narrow.toStdString());
        const auto before = model->transformer()->named_parameters();
        const auto after = loaded->transformer()->named_parameters();
        QCOMPARE(after.size(), before.size());
        double worst = -1;
        bool changed = false;
        for (const auto& item : before) {
            const auto a = item.value().detach();
            const auto b = after[item.key()].detach();
            const auto excess =
                (b - a).abs() - (a.abs() * std::ldexp(1.0, -11) + std::ldexp(1.0, -25));
            worst = std::max(worst, excess.max().item<double>());
            changed = changed || !torch::equal(a, b);
        }
        QVERIFY2(worst <= 0, qPrintable(QString::number(worst)));
        QVERIFY(changed);  // random float32 weights are not float16 values
    }

    // A missing or damaged input and an unwritable output: one line naming the file, exit 1,
    // nothing written; contradictory flags and a missing OUT: usage errors.
    void badInputIsOneLine() {
        QTemporaryDir dir;
        const QString missing = dir.filePath("missing.moewb"), text = dir.filePath("text.moewb");
        const QString out = dir.filePath("out.moewb");
        const QString nowhere = dir.filePath("no/such/dir/out.moewb");
        QVERIFY(moewb::test::writeFile(text, "MOEWBNMT but nothing else"));
        const auto runs = runClis({{"convert", missing, out, "--fp16"},
                                   {"convert", text, out},
                                   {"convert", kDefault, nowhere},
                                   {"convert", kDefault, out, "--fp16", "--fp32"},
                                   {"convert", kDefault}});
        const QStringList named = {missing, text, "no/such/dir"};
        for (int i = 0; i < named.size(); ++i) {
            QVERIFY2(runs[i].isRunError(named[i]), qPrintable(named[i] + " | " + runs[i].err));
        }
        QVERIFY(runs[3].isUsageError("give one precision: --fp16 or --fp32"));
        QVERIFY(runs[4].isUsageError("needs OUT"));
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_APPLESS_MAIN(TestConvertCommand)
#include "test_ConvertCommand.moc"
