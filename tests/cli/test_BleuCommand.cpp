// `moewb bleu` end to end: its corpus and sentence scores are sacreBLEU's (the golden values of
// the shared fixtures, ../shared/fixtures/bleu, computed with sacreBLEU 2.x), a hand-computed
// case needs no fixtures, and bad files end with one line naming file and line.
#include "cli/CliTestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using moewb::test::runClis;
using moewb::test::writeFile;

namespace {

const QString kFixtures = QStringLiteral(MOEWB_SHARED_DIR "/fixtures/bleu/");

bool haveFixtures() {
    return QFile::exists(kFixtures + "expected.json");
}

nlohmann::json parse(const QString& text) {
    return nlohmann::json::parse(text.toStdString(), nullptr, false);
}

// Empty when `actual` (the command's JSON) matches sacreBLEU's entry: score to 0.01, bp to
// 1e-4 (the fixture README's tolerance), n-gram counts and lengths exactly; else what differs.
QString differences(const nlohmann::json& actual, const nlohmann::json& golden) {
    QString diff;
    if (std::abs(actual.value("score", -1.0) - golden.at("score").get<double>()) > 0.01) {
        diff += QString(" score %1").arg(actual.value("score", -1.0));
    }
    if (golden.contains("bp") &&
        std::abs(actual.value("bp", -1.0) - golden.at("bp").get<double>()) > 1e-4) {
        diff += QString(" bp %1").arg(actual.value("bp", -1.0));
    }
    for (const char* field : {"counts", "totals", "sys_len", "ref_len"}) {
        if (actual.value(field, nlohmann::json()) != golden.at(field)) {
            diff += QString(" %1 %2").arg(
                field, QString::fromStdString(actual.value(field, nlohmann::json()).dump()));
        }
    }
    return diff;
}

}  // namespace

class TestBleuCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void corpusAndSentencesMatchSacreBleu() {
        if (!haveFixtures()) {
            QSKIP("../shared/fixtures/bleu not found: the golden sacreBLEU values live there");
        }
        const nlohmann::json expected =
            nlohmann::json::parse(moewb::test::readFile(kFixtures + "expected.json").toStdString());
        const auto runs =
            runClis({{"bleu", kFixtures + "hyp.txt", kFixtures + "ref.txt", "--json", "--sentence"},
                     {"bleu", kFixtures + "hyp.txt", kFixtures + "ref.txt"}});
        const auto& run = runs[0];
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        const nlohmann::json out = parse(run.out);
        QVERIFY2(out.is_object(), qPrintable(run.out.left(200)));
        QVERIFY2(differences(out, expected.at("corpus")).isEmpty(),
                 qPrintable(differences(out, expected.at("corpus"))));
        const auto& golden = expected.at("sentence");
        QCOMPARE(out.at("sentences").size(), golden.size());
        for (std::size_t i = 0; i < golden.size(); ++i) {
            const auto& line = out.at("sentences").at(i);
            QCOMPARE(line.at("line").get<std::size_t>(), i + 1);
            const QString diff = differences(line, golden.at(i));
            QVERIFY2(diff.isEmpty(), qPrintable(QString("line %1:%2").arg(i + 1).arg(diff)));
        }
        // The sacreBLEU signature, but for the version field (ours is 2.x-moewb).
        const std::string signature = expected.at("signature");
        QCOMPARE(QString::fromStdString(out.at("signature")).section('|', 0, 4),
                 QString::fromStdString(signature).section('|', 0, 4));

        // The text form prints the same corpus figures, as sacreBLEU does.
        const auto& text = runs[1];
        QVERIFY2(text.finished && text.exitCode == 0, qPrintable(text.err));
        QCOMPARE(text.out.section('\n', 0, 0),
                 QStringLiteral("BLEU = 61.69 84.7/64.4/56.2/51.0 (BP = 0.981 ratio = 0.981 "
                                "hyp_len = 3609 ref_len = 3678)"));
    }

    // By hand: "a b c d" against "a b c d e f" matches every n-gram it has (4/4, 3/3, 2/2,
    // 1/1), so BLEU is the brevity penalty exp(1 - 6/4) = 0.60653 alone: 60.65. The identical
    // second segment "v w x y z" adds 5 + 4 + 3 + 2 matches and 5 words to both sides:
    // precisions stay 100, BP = exp(1 - 11/9) = 0.80074, BLEU 80.07. An empty hypothesis
    // scores 0 but counts its reference's length.
    void handComputedScores() {
        QTemporaryDir dir;
        auto path = [&](const char* name) { return dir.filePath(name); };
        QVERIFY(writeFile(path("h1"), "a b c d\n") && writeFile(path("r1"), "a b c d e f\n"));
        QVERIFY(writeFile(path("h2"), "a b c d\nv w x y z\n"));
        QVERIFY(writeFile(path("r2"), "a b c d e f\nv w x y z\n"));
        QVERIFY(writeFile(path("h3"), "\n") && writeFile(path("r3"), "a b c\n"));
        const auto runs = runClis({{"bleu", path("h1"), path("r1"), "--json"},
                                   {"bleu", path("h2"), path("r2"), "--sentence"},
                                   {"bleu", path("h3"), path("r3"), "--json"}});
        for (const auto& run : runs) {
            QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        }
        const auto first = parse(runs[0].out);
        QCOMPARE(first.at("counts"), nlohmann::json({4, 3, 2, 1}));
        QCOMPARE(first.at("totals"), nlohmann::json({4, 3, 2, 1}));
        QVERIFY(std::abs(first.at("bp").get<double>() - std::exp(1.0 - 6.0 / 4.0)) < 1e-9);
        QVERIFY(std::abs(first.at("score").get<double>() - 100 * std::exp(-0.5)) < 1e-6);

        const QString& two = runs[1].out;
        QVERIFY2(two.contains("\nBLEU = 80.07 100.0/100.0/100.0/100.0 (BP = 0.801 ratio = "
                              "0.818 hyp_len = 9 ref_len = 11)\n"),
                 qPrintable(two));
        QVERIFY2(two.startsWith("1\tBLEU = 60.65 "), qPrintable(two));
        QVERIFY2(two.contains("\n2\tBLEU = 100.00 "), qPrintable(two));

        QCOMPARE(parse(runs[2].out).at("score").get<double>(), 0.0);
        QCOMPARE(parse(runs[2].out).at("ref_len").get<int>(), 3);
    }

    // Bad files end with one line naming the file (and the line): different line counts, an
    // empty or blank reference (sacreBLEU cannot score it; a blank one was scored as empty
    // while `moewb eval` refuses it), a missing file, Latin-1 text.
    void badFilesAreOneLineErrors() {
        QTemporaryDir dir;
        auto path = [&](const char* name) { return dir.filePath(name); };
        QVERIFY(writeFile(path("two"), "x\ny\n") && writeFile(path("one"), "x\n"));
        QVERIFY(writeFile(path("three"), "x\ny\nz\n"));
        QVERIFY(writeFile(path("empty"), "x\n\nz\n") && writeFile(path("blank"), "x\ny\n \t\n"));
        QVERIFY(writeFile(path("latin1"), "x\nQualit\xe4t\n"));  // Latin-1, not UTF-8
        const QList<QPair<QStringList, QString>> cases = {
            {{path("two"), path("one")},
             path("two") + " has 2 lines but " + path("one") + " has 1"},
            {{path("three"), path("empty")}, path("empty") + ":2: empty reference"},
            {{path("three"), path("blank")}, path("blank") + ":3: empty reference"},
            {{path("one"), path("missing")}, path("missing")},
            {{path("two"), path("latin1")}, path("latin1") + ":2: invalid UTF-8"},
        };
        QList<QStringList> commands;
        for (const auto& item : cases) {
            commands << QStringList{"bleu"} + item.first;
        }
        commands << QStringList{"bleu", path("one")}
                 << QStringList{"bleu", path("one"), path("one"), path("one")};
        const auto runs = runClis(commands);
        for (int i = 0; i < cases.size(); ++i) {
            const auto& run = runs[i];
            QVERIFY2(run.isRunError(cases[i].second),
                     qPrintable(cases[i].second + " | " + run.err));
        }
        QVERIFY(runs[5].isUsageError("needs a hypothesis file and a reference file"));
        QVERIFY(runs[6].isUsageError("needs a hypothesis file and a reference file"));
    }
};

QTEST_APPLESS_MAIN(TestBleuCommand)
#include "test_BleuCommand.moc"
