#include "FigureExporter.h"

#include "QCustomPlotHeader.h"
#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QWidget>

#include <cmath>
#include <cstdio>

namespace moewb::gui {

namespace {

// Writes next to the target and renames over it, so a failed export never leaves half a file
// where a good one was.
QString temporaryPathFor(const QString& path) {
    const QFileInfo info(path);
    return info.absolutePath() + "/." + info.completeBaseName() + ".part." + info.suffix();
}

bool renameOver(const QString& from, const QString& to, QString* error) {
    if (std::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) != 0) {
        QFile::remove(from);
        *error =
            FigureExporter::tr("%1: could not replace the file (check the folder's permissions)")
                .arg(to);
        return false;
    }
    return true;
}

void renderWidget(QWidget* widget, QPaintDevice* device, const QSize& logical) {
    QPainter painter(device);
    painter.setRenderHint(QPainter::Antialiasing);
    const double sx = double(device->width()) / std::max(1, widget->width());
    const double sy = double(device->height()) / std::max(1, widget->height());
    painter.scale(sx, sy);
    widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    Q_UNUSED(logical);
}

}  // namespace

QColor FigureExporter::color(int index) {
    // Okabe–Ito, then a few extra distinct hues for up to 16 series.
    static const QColor palette[] = {
        QColor(0, 114, 178),   QColor(230, 159, 0),   QColor(0, 158, 115),   QColor(213, 94, 0),
        QColor(204, 121, 167), QColor(86, 180, 233),  QColor(240, 228, 66),  QColor(0, 0, 0),
        QColor(120, 94, 240),  QColor(100, 143, 255), QColor(220, 38, 127),  QColor(254, 97, 0),
        QColor(255, 176, 0),   QColor(27, 158, 119),  QColor(117, 112, 179), QColor(102, 102, 102)};
    const int n = int(sizeof(palette) / sizeof(palette[0]));
    return palette[((index % n) + n) % n];
}

// Viridis: perceptually uniform and readable in grey print. Cells whose neurons never fire
// together (count 0, no logarithm) are NaN and drawn in a pale grey.
QCPColorGradient FigureExporter::heatGradient() {
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, QColor(68, 1, 84));
    gradient.setColorStopAt(0.25, QColor(59, 82, 139));
    gradient.setColorStopAt(0.5, QColor(33, 145, 140));
    gradient.setColorStopAt(0.75, QColor(94, 201, 98));
    gradient.setColorStopAt(1.0, QColor(253, 231, 37));
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(QColor(238, 238, 238));
    gradient.setLevelCount(256);
    return gradient;
}

void FigureExporter::styleHint(QLabel* hint) {
    QFont font = hint->font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    hint->setFont(font);
    // Softened text colour that follows light and dark themes.
    QPalette palette = hint->palette();
    QColor color = palette.color(QPalette::WindowText);
    color.setAlphaF(0.65);
    palette.setColor(QPalette::WindowText, color);
    hint->setPalette(palette);
}

QColor FigureExporter::neutralColor() {
    return QColor(110, 110, 110);
}

void FigureExporter::applyTheme(QCustomPlot* plot) {
    QFont base = plot->font();
    base.setPointSize(10);
    QFont label = base;
    label.setPointSize(11);
    plot->setBackground(Qt::white);
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            axis->setTickLabelFont(base);
            axis->setLabelFont(label);
            axis->setBasePen(QPen(QColor(60, 60, 60), 1));
            axis->setTickPen(QPen(QColor(60, 60, 60), 1));
            axis->setSubTickPen(QPen(QColor(60, 60, 60), 1));
            axis->grid()->setPen(QPen(QColor(225, 225, 225), 1, Qt::SolidLine));
            axis->grid()->setSubGridVisible(false);
        }
    }
    if (plot->legend) {
        plot->legend->setFont(base);
        plot->legend->setBorderPen(QPen(QColor(200, 200, 200)));
    }
}

bool FigureExporter::formatFromPath(const QString& path, Format* format) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png") {
        *format = Format::Png;
    } else if (suffix == "pdf") {
        *format = Format::Pdf;
    } else if (suffix == "svg") {
        *format = Format::Svg;
    } else {
        return false;
    }
    return true;
}

QSize FigureExporter::pixelSize(const FigureExportOptions& options) {
    const double scale = options.dpi / 96.0;
    return QSize(int(std::lround(options.logicalSize.width() * scale)),
                 int(std::lround(options.logicalSize.height() * scale)));
}

bool FigureExporter::exportFigure(const Figure& figure, const QString& path,
                                  const FigureExportOptions& options, QString* error) {
    QString ignored;
    error = error ? error : &ignored;
    Format format;
    if (!formatFromPath(path, &format)) {
        *error = tr("%1: unknown figure format (use .png, .pdf or .svg)").arg(path);
        return false;
    }
    if (!figure.widget) {
        *error = tr("%1: the figure has nothing to draw").arg(path);
        return false;
    }
    if (options.dpi < 24 || options.dpi > 2400 || options.logicalSize.isEmpty()) {
        *error = tr("%1: DPI must be between 24 and 2400 and the size not empty").arg(path);
        return false;
    }
    const QString temporary = temporaryPathFor(path);
    const QSize logical = options.logicalSize;
    auto* plot = qobject_cast<QCustomPlot*>(figure.widget);
    bool written = false;
    if (format == Format::Png) {
        if (plot) {
            written = plot->savePng(temporary, logical.width(), logical.height(),
                                    options.dpi / 96.0, -1, options.dpi);
        } else {
            QImage image(pixelSize(options), QImage::Format_ARGB32);
            image.fill(Qt::white);
            renderWidget(figure.widget, &image, logical);
            image.setDotsPerMeterX(int(std::lround(options.dpi / 0.0254)));
            image.setDotsPerMeterY(int(std::lround(options.dpi / 0.0254)));
            written = image.save(temporary, "PNG");
        }
    } else if (format == Format::Pdf) {
        if (plot) {
            written = plot->savePdf(temporary, logical.width(), logical.height(), QCP::epNoCosmetic,
                                    "MoE Workbench", figure.title);
        } else {
            QPdfWriter writer(temporary);
            writer.setResolution(96);
            writer.setPageSize(QPageSize(QSizeF(logical), QPageSize::Point));
            writer.setPageMargins(QMarginsF());
            writer.setTitle(figure.title);
            renderWidget(figure.widget, &writer, logical);
            written = QFileInfo(temporary).size() > 0;
        }
    } else {
        QSvgGenerator generator;
        generator.setFileName(temporary);
        generator.setSize(logical);
        generator.setViewBox(QRect(QPoint(0, 0), logical));
        generator.setTitle(figure.title);
        generator.setDescription(QStringLiteral("MoE Workbench figure"));
        if (plot) {
            QCPPainter painter(&generator);
            plot->toPainter(&painter, logical.width(), logical.height());
            painter.end();
        } else {
            renderWidget(figure.widget, &generator, logical);
        }
        written = QFileInfo(temporary).size() > 0;
    }
    if (!written) {
        QFile::remove(temporary);
        *error = tr("%1: could not write the figure (is the folder writable?)").arg(path);
        return false;
    }
    return renameOver(temporary, path, error);
}

QStringList FigureExporter::exportAll(const QList<Figure>& figures, const QString& folder,
                                      const QStringList& formats,
                                      const FigureExportOptions& options, QString* error) {
    QStringList written;
    if (!QDir().mkpath(folder)) {
        *error = tr("%1: could not create the folder").arg(folder);
        return written;
    }
    for (const Figure& figure : figures) {
        for (const QString& extension : formats) {
            const QString path = QDir(folder).filePath(figure.name + "." + extension);
            if (!exportFigure(figure, path, options, error)) {
                return written;
            }
            written << path;
        }
    }
    return written;
}

void FigureExporter::exportWithDialog(const Figure& figure, QWidget* parent) {
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        parent, tr("Export figure"), QDir::home().filePath(figure.name + ".png"),
        tr("PNG image (*.png);;PDF document (*.pdf);;SVG drawing (*.svg)"), &selected);
    if (path.isEmpty()) {
        return;
    }
    FigureExportOptions options;
    Format format;
    if (formatFromPath(path, &format) && format == Format::Png) {
        bool ok = false;
        const int dpi = QInputDialog::getInt(parent, tr("Export figure"), tr("Resolution (DPI):"),
                                             300, 72, 1200, 50, &ok);
        if (!ok) {
            return;
        }
        options.dpi = dpi;
    }
    QString error;
    if (!exportFigure(figure, path, options, &error)) {
        QMessageBox::warning(parent, tr("Export figure"), error);
    }
}

void FigureExporter::installContextMenu(const Figure& figure) {
    QWidget* widget = figure.widget;
    widget->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* action = new QAction(tr("Export figure…"), widget);
    action->setToolTip(tr("Save this figure as PNG, PDF or SVG"));
    QObject::connect(action, &QAction::triggered, widget,
                     [figure]() { exportWithDialog(figure, figure.widget); });
    widget->addAction(action);
}

}  // namespace moewb::gui
