#pragma once
// Reading exported figures back: where a plot coordinate lands in an exported PNG, and whether
// the colour there is the colour the data must be drawn in. A blank or misdrawn figure fails
// these checks where a check of the image size alone passes.

#include "FigureExporter.h"

#include "QCustomPlotHeader.h"

#include <QColor>
#include <QImage>
#include <QString>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace moewb::test {

using namespace moewb::gui;

// The largest difference of one channel (0 for the same colour).
inline int colorDistance(const QColor& a, const QColor& b) {
    return std::max({std::abs(a.red() - b.red()), std::abs(a.green() - b.green()),
                     std::abs(a.blue() - b.blue())});
}

inline QString colorText(const QColor& color) {
    return QStringLiteral("rgb(%1, %2, %3)").arg(color.red()).arg(color.green()).arg(color.blue());
}

// A QCustomPlot exported as PNG and read back. QCustomPlot::savePng lays the plot out at the
// logical export size and scales the drawing by dpi / 96; the plot is laid out at that size again
// here, so its own axes (coordToPixel) say where a data point landed in the image.
class ExportedPlot {
public:
    ExportedPlot(QCustomPlot* plot, const QString& path, const FigureExportOptions& options)
        : m_plot(plot), m_oldViewport(plot->viewport()) {
        m_ok = FigureExporter::exportFigure({QStringLiteral("figure"), QString(), plot}, path,
                                            options, &m_error);
        m_image = QImage(path);
        m_scale = options.dpi / 96.0;
        plot->setViewport(QRect(QPoint(0, 0), options.logicalSize));
        plot->replot(QCustomPlot::rpImmediateRefresh);
    }
    ~ExportedPlot() {
        m_plot->setViewport(m_oldViewport);
        m_plot->replot(QCustomPlot::rpImmediateRefresh);
    }
    ExportedPlot(const ExportedPlot&) = delete;
    ExportedPlot& operator=(const ExportedPlot&) = delete;

    bool ok() const { return m_ok && !m_image.isNull(); }
    const QString& error() const { return m_error; }
    const QImage& image() const { return m_image; }

    // The image pixel of the plot coordinate (key on `x`, value on `y`).
    QPoint pixelOf(QCPAxis* x, QCPAxis* y, double key, double value) const {
        return QPoint(int(std::floor(x->coordToPixel(key) * m_scale)),
                      int(std::floor(y->coordToPixel(value) * m_scale)));
    }
    QColor colorAt(QCPAxis* x, QCPAxis* y, double key, double value) const {
        const QPoint p = pixelOf(x, y, key, value);
        return m_image.valid(p) ? m_image.pixelColor(p) : QColor();
    }

private:
    QCustomPlot* m_plot;
    QRect m_oldViewport;
    QImage m_image;
    QString m_error;
    double m_scale = 1.0;
    bool m_ok = false;
};

}  // namespace moewb::test
