#pragma once
// Poster figures: one theme for every plot, and export of any figure to PNG (raster at a chosen
// DPI), PDF and SVG (both vector). Views list their figures through FigureSource so "Export all
// figures" (GUI) and `moewb export-figures` (CLI) write every view the same way.

#include <QColor>
#include <QCoreApplication>
#include <QList>
#include <QSize>
#include <QString>

class QCPColorGradient;
class QCustomPlot;
class QLabel;
class QWidget;

namespace moewb::gui {

// One exportable figure: a QCustomPlot (exported through its own painter, so PDF/SVG stay
// vector) or any other widget (rendered with QWidget::render).
struct Figure {
    QString name;   // file stem, e.g. "sparsity-layers" (letters, digits, '-')
    QString title;  // shown to the user, translated
    QWidget* widget = nullptr;
};

// Implemented by every view that shows plots.
class FigureSource {
public:
    virtual ~FigureSource() = default;
    virtual QList<Figure> figures() const = 0;
};

struct FigureExportOptions {
    QSize logicalSize{900, 600};  // figure size in logical pixels (1/96 inch) (default 900×600)
    int dpi = 300;  // PNG resolution; PNG pixels = logicalSize × dpi / 96 (default 300)
};

class FigureExporter {
    Q_DECLARE_TR_FUNCTIONS(FigureExporter)

public:
    enum class Format { Png, Pdf, Svg };

    // The poster palette (colour-blind safe, Okabe–Ito first), cycled by index.
    static QColor color(int index);
    // The sequential colour used for "dense" rows/bars and neutral elements.
    static QColor neutralColor();
    // The sequential colour gradient of heatmaps (viridis).
    static QCPColorGradient heatGradient();
    // The look of a view's "nothing to show yet" hint: larger, softened text.
    static void styleHint(QLabel* hint);
    // Fonts, pens and background of the poster theme applied to a plot's axes and legend.
    static void applyTheme(QCustomPlot* plot);

    // Format from the file's extension (.png/.pdf/.svg, case-insensitive); false if unknown.
    static bool formatFromPath(const QString& path, Format* format);
    // PNG pixel size for the options (logicalSize × dpi / 96, rounded).
    static QSize pixelSize(const FigureExportOptions& options);

    // Writes the figure; the format comes from the extension. The file is written atomically
    // (temporary file, then rename). Returns false and sets *error (file and reason) on failure.
    static bool exportFigure(const Figure& figure, const QString& path,
                             const FigureExportOptions& options, QString* error);
    // Writes <folder>/<name>.<ext> for each figure and each extension in `formats` ("png", "pdf",
    // "svg"). Returns the files written; stops at the first error (in *error).
    static QStringList exportAll(const QList<Figure>& figures, const QString& folder,
                                 const QStringList& formats, const FigureExportOptions& options,
                                 QString* error);

    // GUI: asks for a file name (PNG/PDF/SVG) and, for PNG, the DPI, then exports. Errors are
    // shown in a message box.
    static void exportWithDialog(const Figure& figure, QWidget* parent);
    // Adds "Export figure…" to the widget's right-click menu (calls exportWithDialog).
    static void installContextMenu(const Figure& figure);
};

}  // namespace moewb::gui
