// `moewb export-figures` end to end on a profiled project of the seeded tiny model (d_ff 64, 2 +
// 2 layers): every figure comes as PNG (300 dpi), PDF and SVG, and the sparsity figure draws
// the profile: its encoder and decoder bars (the poster palette's blue and vermillion) cover
// areas in the ratio of the printed sparsities. Runs the GUI binary offscreen; skips when the
// build has no GUI.
#include "core/NmtTestSupport.h"

#include "cli/CliTestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using moewb::test::runCli;

namespace {

bool haveGui() {
    return QFileInfo::exists(QFileInfo(QStringLiteral(MOEWB_CLI)).dir().filePath("moe-workbench"));
}

// Pixels of exactly this colour (bar interiors are flat; edges are antialiased).
long long countColor(const QImage& image, QRgb color) {
    long long count = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            count += (line[x] & 0xffffff) == (color & 0xffffff);
        }
    }
    return count;
}

}  // namespace

class TestExportFiguresCommand : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;
    double m_encoderZeros = 0, m_decoderZeros = 0;  // sums of the printed sparsities (%)

private Q_SLOTS:
    void initTestCase() {
        if (!haveGui()) {
            QSKIP("moe-workbench was not built (-DMOEWB_BUILD_GUI=OFF): export-figures runs it");
        }
        QVERIFY(m_dir.isValid());
        const QString model = m_dir.filePath("tiny.moewb");
        moewb::test::tinyModel()->save(model.toStdString());
        const QString stem = m_dir.filePath("pairs");
        QVERIFY(moewb::test::writeMoses(stem, moewb::test::sixteenTextPairs()));
        m_project = m_dir.filePath("p");
        const auto profile = runCli({"profile", m_project, "--model", model, "--src", stem + ".de",
                                     "--tgt", stem + ".en", "--threads", "1"});
        QVERIFY2(profile.finished && profile.exitCode == 0, qPrintable(profile.err));
        const QRegularExpression row(R"(\n(encoder|decoder)\d +\d+ +(\d+\.\d)%)");
        for (auto it = row.globalMatch(profile.out); it.hasNext();) {
            const auto match = it.next();
            (match.captured(1) == "encoder" ? m_encoderZeros : m_decoderZeros) +=
                match.captured(2).toDouble();
        }
        QVERIFY2(m_encoderZeros > 0 && m_decoderZeros > 0, qPrintable(profile.out));
    }

    void writesEveryFigureInThreeFormats() {
        const QString out = m_dir.filePath("figures");
        const auto run = runCli({"export-figures", m_project, out});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.err));
        // The GUI lists every file it wrote, one a line.
        const QStringList written = run.out.split('\n', Qt::SkipEmptyParts);
        QVERIFY2(written.size() >= 9 && written.size() % 3 == 0, qPrintable(run.out));
        for (const QString& file : written) {
            QVERIFY2(QFileInfo(file).size() > 0, qPrintable(file));
        }
        QStringList stems;
        for (const QString& file : QDir(out).entryList({"*.png"})) {
            stems << QFileInfo(file).completeBaseName();
        }
        // The figures a profiled project has data for; the others (routers, sweeps) show
        // empty axes.
        const QStringList drawn = {"pipeline", "sparsity-layers", "activation-frequency",
                                   "coactivation"};
        for (const QString& stem : drawn) {
            QVERIFY2(stems.contains(stem), qPrintable(stem + " not in " + stems.join(' ')));
        }
        for (const QString& stem : stems) {
            const QString base = out + "/" + stem;
            QVERIFY2(moewb::test::readFile(base + ".pdf").startsWith("%PDF-"), qPrintable(stem));
            QVERIFY2(moewb::test::readFile(base + ".svg").contains("<svg"), qPrintable(stem));
            // 900 x 600 logical pixels at 300 dpi: x 300 / 96 (FigureExporter.h).
            const QImage png = QImage(base + ".png").convertToFormat(QImage::Format_RGB32);
            QCOMPARE(png.size(), QSize(2813, 1875));
            if (drawn.contains(stem)) {
                // Not blank: far from every pixel is the background of the top-left corner.
                const long long background = countColor(png, png.pixel(0, 0));
                QVERIFY2(background < 0.95 * png.width() * png.height(),
                         qPrintable(QString("%1: %2 background pixels").arg(stem).arg(background)));
            }
        }
    }

    // The sparsity bars: encoder blue (0, 114, 178), decoder vermillion (213, 94, 0), all the
    // same width on one axis, so their areas are in the ratio of the summed sparsities the
    // profile printed (two layers each; the legend's two small swatches add a little to both).
    void theSparsityFigureDrawsTheProfile() {
        const QString out = m_dir.filePath("figures");
        const QImage png =
            QImage(out + "/sparsity-layers.png").convertToFormat(QImage::Format_RGB32);
        QVERIFY(!png.isNull());
        const double encoder = double(countColor(png, qRgb(0, 114, 178)));
        const double decoder = double(countColor(png, qRgb(213, 94, 0)));
        QVERIFY2(encoder > 10000 && decoder > 10000,
                 qPrintable(QString("%1 %2").arg(encoder).arg(decoder)));
        const double expected = m_encoderZeros / m_decoderZeros;
        QVERIFY2(std::abs(encoder / decoder - expected) < 0.05 * expected,
                 qPrintable(QString("areas %1 / %2 = %3, sparsities give %4")
                                .arg(encoder)
                                .arg(decoder)
                                .arg(encoder / decoder)
                                .arg(expected)));
        // The vector files carry the same colours.
        const QByteArray svg = moewb::test::readFile(out + "/sparsity-layers.svg").toLower();
        QVERIFY(svg.contains("#0072b2") && svg.contains("#d55e00"));
    }

    void badInputIsOneLine() {
        const QString folder = m_dir.filePath("not-a-project");
        QVERIFY(QDir().mkpath(folder));
        const QString problems = moewb::test::checkBadRuns(
            {{{"export-figures", folder, m_dir.filePath("out")}, folder, 1},
             {{"export-figures", m_project}, "needs DIR: moewb export-figures PROJECT DIR"}});
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        // The figure folder is a file: the GUI says it cannot write there (its last line; Qt's
        // offscreen platform warns before it).
        const QString file = m_dir.filePath("a-file");
        QVERIFY(moewb::test::writeFile(file, "x"));
        const auto blocked = runCli({"export-figures", m_project, file});
        QVERIFY2(blocked.finished && blocked.exitCode == 1 && blocked.noBacktrace() &&
                     blocked.errorLine().contains(file + ": could not create the folder"),
                 qPrintable(blocked.err));
    }
};

QTEST_APPLESS_MAIN(TestExportFiguresCommand)
#include "test_ExportFiguresCommand.moc"
