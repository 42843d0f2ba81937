// FigureExporter: PNG pixel size from the DPI, vector PDF and SVG, plain widgets, the error
// messages, and that a failed export leaves no file behind.
#include "FigureExporter.h"

#include "widgets/FigureTestSupport.h"

#include "QCustomPlotHeader.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

using namespace moewb::gui;

namespace {

// A small themed plot with one line and a legend, like the views draw.
QCustomPlot* makePlot() {
    auto* plot = new QCustomPlot;
    plot->resize(500, 350);
    auto* graph = plot->addGraph();
    graph->setName(QStringLiteral("series"));
    graph->setData({0, 1, 2, 3}, {1, 3, 2, 4});
    graph->setPen(QPen(FigureExporter::color(0), 2));
    plot->xAxis->setLabel(QStringLiteral("x"));
    plot->yAxis->setLabel(QStringLiteral("y"));
    plot->legend->setVisible(true);
    plot->rescaleAxes();
    FigureExporter::applyTheme(plot);
    return plot;
}

QStringList leftovers(const QString& folder) {
    return QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
}

}  // namespace

class TestFigureExporter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pixelSizeFollowsTheDpi() {
        FigureExportOptions options;
        QCOMPARE(FigureExporter::pixelSize(options), QSize(2813, 1875));  // 900×600 at 300 dpi
        options.logicalSize = QSize(400, 300);
        options.dpi = 192;
        QCOMPARE(FigureExporter::pixelSize(options), QSize(800, 600));
    }

    void formatsComeFromTheExtension() {
        FigureExporter::Format format;
        QVERIFY(FigureExporter::formatFromPath(QStringLiteral("/a/b.PNG"), &format));
        QCOMPARE(format, FigureExporter::Format::Png);
        QVERIFY(FigureExporter::formatFromPath(QStringLiteral("b.pdf"), &format));
        QCOMPARE(format, FigureExporter::Format::Pdf);
        QVERIFY(FigureExporter::formatFromPath(QStringLiteral("b.Svg"), &format));
        QCOMPARE(format, FigureExporter::Format::Svg);
        QVERIFY(!FigureExporter::formatFromPath(QStringLiteral("b.jpg"), &format));
        QVERIFY(!FigureExporter::formatFromPath(QStringLiteral("noextension"), &format));
    }

    void paletteCycles() {
        QCOMPARE(FigureExporter::color(0), QColor(0, 114, 178));
        QCOMPARE(FigureExporter::color(16), FigureExporter::color(0));
        QCOMPARE(FigureExporter::color(-1), FigureExporter::color(15));
        QVERIFY(FigureExporter::color(1) != FigureExporter::color(0));
    }

    void plotExportsPngPdfAndSvg() {
        std::unique_ptr<QCustomPlot> plot(makePlot());
        const Figure figure{QStringLiteral("line"), QStringLiteral("Line"), plot.get()};
        QTemporaryDir dir;
        FigureExportOptions options;
        options.logicalSize = QSize(400, 300);
        options.dpi = 192;
        QString error;
        const QString png = dir.filePath(QStringLiteral("line.png"));
        {
            const moewb::test::ExportedPlot exported(plot.get(), png, options);
            QVERIFY2(exported.ok(), qPrintable(exported.error()));
            const QImage& image = exported.image();
            QCOMPARE(image.size(), FigureExporter::pixelSize(options));
            QCOMPARE(image.dotsPerMeterX(), int(std::lround(192 / 0.0254)));
            // Not a blank page: the line runs through its data points (1, 3) and (2, 2) and the
            // middle of the segment between them, in the series' blue; the plot's background
            // is white. Points off the line, (1.5, 3.5) and (1.5, 1.5), are not blue.
            const QColor blue = FigureExporter::color(0);
            QCPAxis* x = plot->xAxis;
            QCPAxis* y = plot->yAxis;
            for (const QPointF& onLine : {QPointF(1, 3), QPointF(2, 2), QPointF(1.5, 2.5)}) {
                const QColor seen = exported.colorAt(x, y, onLine.x(), onLine.y());
                QVERIFY2(moewb::test::colorDistance(seen, blue) <= 12,
                         qPrintable(QStringLiteral("(%1, %2): %3")
                                        .arg(onLine.x())
                                        .arg(onLine.y())
                                        .arg(moewb::test::colorText(seen))));
            }
            for (const QPointF& offLine : {QPointF(1.5, 3.5), QPointF(1.5, 1.5)}) {
                const QColor seen = exported.colorAt(x, y, offLine.x(), offLine.y());
                QVERIFY2(moewb::test::colorDistance(seen, blue) > 100,
                         qPrintable(moewb::test::colorText(seen)));
            }
            QCOMPARE(image.pixelColor(2, 2), QColor(Qt::white));
        }

        const QString pdf = dir.filePath(QStringLiteral("line.pdf"));
        QVERIFY2(FigureExporter::exportFigure(figure, pdf, options, &error), qPrintable(error));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QVERIFY(pdfFile.size() > 500);
        QVERIFY(pdfFile.read(5) == "%PDF-");

        const QString svg = dir.filePath(QStringLiteral("line.svg"));
        QVERIFY2(FigureExporter::exportFigure(figure, svg, options, &error), qPrintable(error));
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray text = svgFile.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("<path") || text.contains("<polyline"));

        // Only the three figures: no temporary files left over.
        QCOMPARE(leftovers(dir.path()).size(), 3);
    }

    void plainWidgetExportsAtTheRequestedSize() {
        QLabel label(QStringLiteral("A plain widget"));
        label.resize(300, 200);
        const Figure figure{QStringLiteral("label"), QStringLiteral("Label"), &label};
        QTemporaryDir dir;
        FigureExportOptions options;
        options.logicalSize = QSize(300, 200);
        options.dpi = 144;
        QString error;
        const QString png = dir.filePath(QStringLiteral("label.png"));
        QVERIFY2(FigureExporter::exportFigure(figure, png, options, &error), qPrintable(error));
        QCOMPARE(QImage(png).size(), QSize(450, 300));
        const QString svg = dir.filePath(QStringLiteral("label.svg"));
        QVERIFY2(FigureExporter::exportFigure(figure, svg, options, &error), qPrintable(error));
        QVERIFY(QFileInfo(svg).size() > 0);
        const QString pdf = dir.filePath(QStringLiteral("label.pdf"));
        QVERIFY2(FigureExporter::exportFigure(figure, pdf, options, &error), qPrintable(error));
        QVERIFY(QFileInfo(pdf).size() > 0);
    }

    void unknownExtensionIsRefused() {
        std::unique_ptr<QCustomPlot> plot(makePlot());
        QTemporaryDir dir;
        QString error;
        const QString path = dir.filePath(QStringLiteral("line.jpg"));
        QVERIFY(!FigureExporter::exportFigure({QStringLiteral("line"), QString(), plot.get()}, path,
                                              FigureExportOptions{}, &error));
        QVERIFY(error.contains(QStringLiteral("line.jpg")));
        QVERIFY(error.contains(QStringLiteral(".png")));
        QVERIFY(leftovers(dir.path()).isEmpty());
    }

    void badOptionsAndEmptyFiguresAreRefused() {
        std::unique_ptr<QCustomPlot> plot(makePlot());
        QTemporaryDir dir;
        QString error;
        FigureExportOptions options;
        options.dpi = 5;
        QVERIFY(!FigureExporter::exportFigure({QStringLiteral("line"), QString(), plot.get()},
                                              dir.filePath(QStringLiteral("a.png")), options,
                                              &error));
        QVERIFY(error.contains(QStringLiteral("DPI")));
        QVERIFY(!FigureExporter::exportFigure({QStringLiteral("none"), QString(), nullptr},
                                              dir.filePath(QStringLiteral("b.png")),
                                              FigureExportOptions{}, &error));
        QVERIFY(leftovers(dir.path()).isEmpty());
    }

    void missingFolderIsAnErrorWithoutFiles() {
        std::unique_ptr<QCustomPlot> plot(makePlot());
        const Figure figure{QStringLiteral("line"), QString(), plot.get()};
        QTemporaryDir dir;
        FigureExportOptions options;
        options.logicalSize = QSize(200, 150);
        options.dpi = 96;
        for (const char* extension : {"png", "pdf", "svg"}) {
            QString error;
            const QString path =
                dir.filePath(QStringLiteral("missing/line.") + QLatin1String(extension));
            QVERIFY(!FigureExporter::exportFigure(figure, path, options, &error));
            QVERIFY2(error.contains(path), qPrintable(error));
            QVERIFY(!QFileInfo::exists(path));
        }
        QVERIFY(leftovers(dir.path()).isEmpty());
    }

    void failedReplaceLeavesNoPartialFile() {
        // The target name is taken by a folder: the figure is drawn, but cannot replace it.
        std::unique_ptr<QCustomPlot> plot(makePlot());
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("line.png")));
        FigureExportOptions options;
        options.logicalSize = QSize(200, 150);
        options.dpi = 96;
        QString error;
        QVERIFY(!FigureExporter::exportFigure({QStringLiteral("line"), QString(), plot.get()},
                                              dir.filePath(QStringLiteral("line.png")), options,
                                              &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(leftovers(dir.path()).isEmpty());
        QVERIFY(QFileInfo(dir.filePath(QStringLiteral("line.png"))).isDir());
    }

    void exportAllWritesEveryFormat() {
        std::unique_ptr<QCustomPlot> first(makePlot());
        std::unique_ptr<QCustomPlot> second(makePlot());
        QTemporaryDir dir;
        FigureExportOptions options;
        options.logicalSize = QSize(300, 200);
        options.dpi = 96;
        QString error;
        const QString folder = dir.filePath(QStringLiteral("figures/poster"));
        const QStringList written = FigureExporter::exportAll(
            {{QStringLiteral("a"), QString(), first.get()},
             {QStringLiteral("b"), QString(), second.get()}},
            folder, {QStringLiteral("png"), QStringLiteral("pdf"), QStringLiteral("svg")}, options,
            &error);
        QVERIFY2(written.size() == 6, qPrintable(error));
        QCOMPARE(leftovers(folder).size(), 6);
        QCOMPARE(QImage(QDir(folder).filePath(QStringLiteral("b.png"))).size(), QSize(300, 200));
        // Exporting again replaces the files in place.
        QVERIFY(FigureExporter::exportAll({{QStringLiteral("a"), QString(), first.get()}}, folder,
                                          {QStringLiteral("png")}, options, &error)
                    .size() == 1);
        QCOMPARE(leftovers(folder).size(), 6);
    }
};

QTEST_MAIN(TestFigureExporter)
#include "test_FigureExporter.moc"
