#include "ExpertStripPlot.h"

#include "FigureExporter.h"

#include <QHelpEvent>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace moewb::gui {

namespace {

// Cells of experts that did not fire: light, so the fired ones stand out on a poster.
const QColor kIdleColor(242, 242, 242);
// More piece labels than this on one side would overlap.
constexpr int kMaxLabels = 40;

QString layerName(int layer, int encoderLayers) {
    return layer < encoderLayers ? ExpertStripPlot::tr("enc %1").arg(layer + 1)
                                 : ExpertStripPlot::tr("dec %1").arg(layer - encoderLayers + 1);
}

// SentencePiece marks a word start with "▁"; rotated under an axis it reads as stray
// underscores, so labels drop it (the hover text keeps the piece as it is).
QString pieceLabel(const std::string& piece) {
    QString label = QString::fromStdString(piece);
    label.remove(QChar(0x2581));
    return label.isEmpty() ? QStringLiteral("␣") : label;
}

void setUpAxisRect(QCPAxisRect* rect) {
    rect->setupFullAxesBox(false);
    rect->axis(QCPAxis::atTop)->setVisible(false);
    rect->axis(QCPAxis::atRight)->setVisible(false);
    for (QCPAxis* axis : rect->axes()) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
    }
    rect->axis(QCPAxis::atLeft)->setRangeReversed(true);  // first layer on top
}

}  // namespace

ExpertStripPlot::ExpertStripPlot(QWidget* parent) : QCustomPlot(parent) {
    setObjectName(QStringLiteral("expertStrip"));
    setToolTip(
        tr("Which experts each feed-forward layer ran for each token: one row per expert, "
           "grouped by layer; a filled cell means the expert fired. Hover a cell for "
           "details; right-click to export."));
    plotLayout()->clear();
    QFont titleFont = font();
    titleFont.setPointSize(11);
    titleFont.setBold(true);
    m_title = new QCPTextElement(this, QString(), titleFont);
    plotLayout()->addElement(0, 0, m_title);
    m_sides = new QCPLayoutGrid;
    plotLayout()->addElement(1, 0, m_sides);
    m_encoderRect = new QCPAxisRect(this);
    m_decoderRect = new QCPAxisRect(this);
    setUpAxisRect(m_encoderRect);
    setUpAxisRect(m_decoderRect);
    m_sides->addElement(0, 0, m_encoderRect);
    m_sides->addElement(0, 1, m_decoderRect);
    m_sides->setColumnSpacing(12);
    m_encoderMap = new QCPColorMap(m_encoderRect->axis(QCPAxis::atBottom),
                                   m_encoderRect->axis(QCPAxis::atLeft));
    m_decoderMap = new QCPColorMap(m_decoderRect->axis(QCPAxis::atBottom),
                                   m_decoderRect->axis(QCPAxis::atLeft));
    for (QCPColorMap* map : {m_encoderMap, m_decoderMap}) {
        map->setInterpolate(false);
        map->setTightBoundary(false);
    }
    FigureExporter::applyTheme(this);
    clearStrip(tr("Translate with experts to see which of them fire for each token"));
}

void ExpertStripPlot::clearStrip(const QString& message) {
    m_strip = ExpertStripData();
    m_k = 0;
    clearItems();
    for (QCPColorMap* map : {m_encoderMap, m_decoderMap}) {
        map->data()->clear();
        map->setVisible(false);
    }
    for (QCPAxisRect* rect : {m_encoderRect, m_decoderRect}) {
        rect->setVisible(false);  // empty frames would look like a broken plot
        rect->axis(QCPAxis::atBottom)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        rect->axis(QCPAxis::atLeft)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        rect->axis(QCPAxis::atBottom)->setLabel(QString());
        rect->axis(QCPAxis::atLeft)->setLabel(QString());
    }
    m_title->setText(message);
    replot();
}

void ExpertStripPlot::setStrip(const ExpertStripData& strip, int k) {
    if (strip.isEmpty() || strip.numExperts < 1) {
        clearStrip(tr("No expert choices were recorded"));
        return;
    }
    m_strip = strip;
    m_k = k;
    clearItems();
    m_encoderRect->setVisible(true);
    m_decoderRect->setVisible(true);
    const int layers = static_cast<int>(strip.layers.size());
    const int encoderLayers = std::clamp(strip.encoderLayers, 0, layers);
    fillSide(m_encoderRect, m_encoderMap, 0, encoderLayers, strip.sourceTokens,
             tr("source pieces (encoder)"));
    fillSide(m_decoderRect, m_decoderMap, encoderLayers, layers - encoderLayers, strip.targetTokens,
             tr("generated pieces (decoder)"));
    // Columns as wide as their token counts, so a cell is about as wide on both sides.
    const double source = std::max<std::size_t>(1, strip.sourceTokens.size());
    const double target = std::max<std::size_t>(1, strip.targetTokens.size());
    m_sides->setColumnStretchFactors({source + 4.0, target + 4.0});
    m_title->setText(
        strip.threshold > 0
            ? tr("Experts fired per token: dynamic K (τ %1, at most %2 of %3), %4 per token on "
                 "average")
                  .arg(strip.threshold, 0, 'f', 2)
                  .arg(k)
                  .arg(strip.numExperts)
                  .arg(strip.meanExperts(), 0, 'f', 2)
            : tr("Experts fired per token: K = %1 of %2 in each layer")
                  .arg(k)
                  .arg(strip.numExperts));
    replot();
}

void ExpertStripPlot::fillSide(QCPAxisRect* rect, QCPColorMap* map, int firstLayer, int layerCount,
                               const std::vector<std::string>& tokens, const QString& sideName) {
    const int n = m_strip.numExperts;
    const int rows = std::max(1, layerCount * n);
    const int columns = static_cast<int>(tokens.size());
    // QCPColorMap draws nothing for a single column or row, so such a side gets a spare one.
    const int mapColumns = std::max(2, columns);
    const int mapRows = std::max(2, rows);
    map->data()->setSize(mapColumns, mapRows);
    map->data()->setRange(QCPRange(0, mapColumns - 1), QCPRange(0, mapRows - 1));
    map->data()->fill(0.0);
    for (int l = 0; l < layerCount; ++l) {
        const auto& perToken = m_strip.layers[static_cast<std::size_t>(firstLayer + l)];
        const int count = std::min<int>(columns, static_cast<int>(perToken.size()));
        for (int t = 0; t < count; ++t) {
            for (int expert : perToken[static_cast<std::size_t>(t)]) {
                if (expert >= 0 && expert < n) {
                    map->data()->setCell(t, l * n + expert, l + 1.0);
                }
            }
        }
    }
    // Level l + 1 is layer l's palette colour, level 0 the idle cell.
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, kIdleColor);
    for (int l = 0; l < layerCount; ++l) {
        gradient.setColorStopAt(double(l + 1) / std::max(1, layerCount),
                                FigureExporter::color(firstLayer + l));
    }
    gradient.setLevelCount(std::max(2, layerCount + 1));
    map->setGradient(gradient);
    map->setDataRange(QCPRange(0, std::max(1, layerCount)));
    map->setVisible(layerCount > 0);

    // Every piece is labelled up to kMaxLabels; beyond that every second, third, … one.
    const int labelStep = (columns + kMaxLabels - 1) / kMaxLabels;
    auto xTicker = QSharedPointer<QCPAxisTickerText>::create();
    for (int t = 0; t < columns; t += std::max(1, labelStep)) {
        xTicker->addTick(t, pieceLabel(tokens[static_cast<std::size_t>(t)]));
    }
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    x->setTicker(xTicker);
    x->setTickLabelRotation(columns > 4 ? -90 : 0);
    x->setRange(-0.5, std::max(columns, 1) - 0.5);
    x->setLabel(sideName);

    auto yTicker = QSharedPointer<QCPAxisTickerText>::create();
    for (int l = 0; l < layerCount; ++l) {
        yTicker->addTick(l * n + (n - 1) / 2.0, layerName(firstLayer + l, m_strip.encoderLayers));
    }
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    y->setTicker(yTicker);
    y->setTickLength(0, 0);
    y->setRange(-0.5, rows - 0.5);
    y->setLabel(firstLayer == 0 ? tr("layer (one row per expert)") : QString());
    // Separators between layers, inside this panel only.
    for (int l = 1; l < layerCount; ++l) {
        auto* line = new QCPItemStraightLine(this);
        line->setClipAxisRect(rect);
        for (QCPItemPosition* p : {line->point1, line->point2}) {
            p->setAxes(x, y);
            p->setAxisRect(rect);
        }
        line->point1->setCoords(0, l * n - 0.5);
        line->point2->setCoords(1, l * n - 0.5);
        line->setPen(QPen(QColor(90, 90, 90), 1));
    }
}

QString ExpertStripPlot::cellDescription(const QPointF& position) const {
    if (m_strip.isEmpty()) {
        return {};
    }
    const int n = m_strip.numExperts;
    for (const bool encoder : {true, false}) {
        QCPAxisRect* rect = encoder ? m_encoderRect : m_decoderRect;
        if (!rect->rect().contains(position.toPoint())) {
            continue;
        }
        const auto& tokens = encoder ? m_strip.sourceTokens : m_strip.targetTokens;
        const int firstLayer = encoder ? 0 : m_strip.encoderLayers;
        const int layerCount =
            encoder ? m_strip.encoderLayers : static_cast<int>(m_strip.layers.size()) - firstLayer;
        const int t = static_cast<int>(
            std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(position.x())));
        const int row =
            static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(position.y())));
        if (t < 0 || t >= static_cast<int>(tokens.size()) || row < 0 || row >= layerCount * n) {
            return {};
        }
        const int layer = firstLayer + row / n;
        const int expert = row % n;
        const auto& perToken = m_strip.layers[static_cast<std::size_t>(layer)];
        int rank = -1, ran = 0;  // ran: the experts this token ran here (< K with dynamic K)
        if (t < static_cast<int>(perToken.size())) {
            const auto& chosen = perToken[static_cast<std::size_t>(t)];
            const auto it = std::find(chosen.begin(), chosen.end(), expert);
            rank = it == chosen.end() ? -1 : static_cast<int>(it - chosen.begin()) + 1;
            ran = static_cast<int>(std::count_if(chosen.begin(), chosen.end(),
                                                 [n](int e) { return e >= 0 && e < n; }));
        }
        const QString token = QString::fromStdString(tokens[static_cast<std::size_t>(t)]);
        const QString where = tr("Token %1 “%2”, layer %3, expert %4")
                                  .arg(t + 1)
                                  .arg(token, layerName(layer, m_strip.encoderLayers))
                                  .arg(expert + 1);
        return rank > 0 ? tr("%1: fired (rank %2 of %3)").arg(where).arg(rank).arg(ran)
                        : tr("%1: skipped").arg(where);
    }
    return {};
}

bool ExpertStripPlot::event(QEvent* event) {
    // A cell under the mouse gets its own tooltip; elsewhere the plot's general one shows.
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = cellDescription(help->pos());
        if (!text.isEmpty()) {
            QToolTip::showText(help->globalPos(), text, this);
            return true;
        }
    }
    return QCustomPlot::event(event);
}

}  // namespace moewb::gui
