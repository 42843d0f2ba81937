#include "CoActivationHeatmap.h"

#include "Log10CountTicker.h"
#include "ViewPickers.h"

#include "moewb/util/Feedback.h"

#include "QCustomPlotHeader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace moewb::gui {

namespace {

QString expertName(int expert) {
    return expert < 0 ? CoActivationHeatmap::tr("shared")
                      : CoActivationHeatmap::tr("E%1").arg(expert);
}

}  // namespace

CoActivationHeatmap::CoActivationHeatmap(QWidget* parent) : QWidget(parent) {
    auto* hint =
        new QLabel(tr("No profile yet — run the Profile step<br><small>Then this view shows "
                      "how often each pair of neurons fires on the same token.</small>"),
                   this);
    hint->setObjectName(QStringLiteral("emptyHint"));
    hint->setAlignment(Qt::AlignCenter);
    hint->setWordWrap(true);
    hint->setToolTip(tr("The heatmap shows how often two neurons fire on the same token"));
    FigureExporter::styleHint(hint);

    m_layerBox = new QComboBox(this);
    m_layerBox->setObjectName(QStringLiteral("layerPicker"));
    m_layerBox->setToolTip(tr("The feed-forward layer whose co-activation is shown"));
    m_layerBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_partitionBox = new QComboBox(this);
    m_partitionBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_partitionBox->setObjectName(QStringLiteral("partitionPicker"));
    m_partitionBox->setToolTip(
        tr("Reorder the neurons expert by expert so that each expert is a block on the diagonal"));
    m_sideBySide = new QCheckBox(tr("Side by side: unordered vs ordered"), this);
    m_sideBySide->setObjectName(QStringLiteral("sideBySide"));
    m_sideBySide->setToolTip(tr("Show the original neuron order beside the reordered one"));
    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setToolTip(tr("Show the whole matrix again (zoom with the wheel, pan by dragging)"));
    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("layerInfo"));
    m_info->setWordWrap(true);
    m_info->setToolTip(
        tr("Within-expert share: co-activation between neurons of the same expert, of all "
           "co-activation between different neurons; higher means experts that fire together"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Layer:"), this));
    controls->addWidget(m_layerBox);
    controls->addWidget(new QLabel(tr("Order by:"), this));
    controls->addWidget(m_partitionBox);
    controls->addWidget(m_sideBySide);
    controls->addWidget(reset);
    controls->addStretch();

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("coactivation"));
    m_pairPlot = new QCustomPlot(this);
    m_pairPlot->setObjectName(QStringLiteral("coactivationSideBySide"));
    m_plotStack = new QStackedWidget(this);
    m_plotStack->addWidget(m_plot);
    m_plotStack->addWidget(m_pairPlot);
    buildPlots();

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(controls);
    contentLayout->addWidget(m_info);
    contentLayout->addWidget(m_plotStack, 1);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(hint);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    connect(m_layerBox, &QComboBox::currentIndexChanged, this, [this] {
        m_highlighted = -1;
        rebuild();
    });
    connect(m_partitionBox, &QComboBox::currentIndexChanged, this, [this] {
        m_highlighted = -1;
        rebuild();
    });
    connect(m_sideBySide, &QCheckBox::toggled, this, [this](bool on) {
        m_plotStack->setCurrentIndex(on ? 1 : 0);
        replotVisible();
    });
    connect(reset, &QPushButton::clicked, this, [this] {
        resetZoom();
        replotVisible();
    });
    setProfile(nullptr);
}

void CoActivationHeatmap::buildPlots() {
    const QCPColorGradient gradient = FigureExporter::heatGradient();
    auto setupScale = [&](QCustomPlot* plot, QCPColorScale* scale) {
        scale->setType(QCPAxis::atRight);
        scale->setDataScaleType(QCPAxis::stLinear);
        scale->axis()->setTicker(QSharedPointer<Log10CountTicker>::create());
        scale->axis()->setLabel(tr("Tokens on which both fire (log scale)"));
        scale->setGradient(gradient);
        scale->setBarWidth(14);
        // Dragging the scale would recolour the map and "Reset zoom" would not undo it.
        scale->setRangeDrag(false);
        scale->setRangeZoom(false);
        auto* group = new QCPMarginGroup(plot);
        scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        for (QCPAxisRect* rect : plot->axisRects()) {
            rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        }
    };

    // Single plot: title, then the map and its colour scale.
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(
        0, 0, new QCPTextElement(m_plot, QString(), QFont(font().family(), 12, QFont::Bold)));
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, m_scale);
    m_single = makePanel(m_plot, m_plot->axisRect(), m_scale, true);
    setupScale(m_plot, m_scale);

    // Side by side: original order left, reordered right, one shared scale.
    m_pairPlot->plotLayout()->clear();
    m_pairPlot->plotLayout()->addElement(
        0, 0, new QCPTextElement(m_pairPlot, QString(), QFont(font().family(), 12, QFont::Bold)));
    auto* left = new QCPAxisRect(m_pairPlot);
    auto* right = new QCPAxisRect(m_pairPlot);
    auto* row = new QCPLayoutGrid;
    m_pairPlot->plotLayout()->addElement(1, 0, row);
    row->addElement(0, 0, left);
    row->addElement(0, 1, right);
    m_pairScale = new QCPColorScale(m_pairPlot);
    row->addElement(0, 2, m_pairScale);
    row->setColumnStretchFactor(2, 0.01);
    m_pairLeft = makePanel(m_pairPlot, left, m_pairScale, false);
    m_pairRight = makePanel(m_pairPlot, right, m_pairScale, true);
    setupScale(m_pairPlot, m_pairScale);

    for (QCustomPlot* plot : {m_plot, m_pairPlot}) {
        plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
        plot->setToolTip(
            tr("Co-activation counts: hover a cell for its neurons, wheel to zoom, "
               "drag to pan, right-click to export"));
        FigureExporter::applyTheme(plot);
        plot->installEventFilter(this);
    }
    FigureExporter::installContextMenu(
        {QStringLiteral("coactivation"), tr("Co-activation heatmap"), m_plot});
    FigureExporter::installContextMenu({QStringLiteral("coactivation-side-by-side"),
                                        tr("Co-activation, original and expert order"),
                                        m_pairPlot});
}

CoActivationHeatmap::MapPanel CoActivationHeatmap::makePanel(QCustomPlot* plot, QCPAxisRect* rect,
                                                             QCPColorScale* scale, bool ordered) {
    MapPanel panel;
    panel.rect = rect;
    panel.ordered = ordered;
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    // Row 0 on top, as in a matrix.
    y->setRangeReversed(true);
    for (QCPAxis* axis : {x, y}) {
        axis->grid()->setVisible(false);
        axis->setTickLength(0, 4);
        axis->setSubTicks(false);
    }
    rect->setRangeDragAxes(x, y);
    rect->setRangeZoomAxes(x, y);
    panel.map = new QCPColorMap(x, y);
    panel.map->setInterpolate(false);
    panel.map->setTightBoundary(false);
    panel.map->setColorScale(scale);

    panel.highlight = new QCPItemRect(plot);
    panel.highlightLabel = new QCPItemText(plot);
    for (QCPItemPosition* position :
         {panel.highlight->topLeft, panel.highlight->bottomRight, panel.highlightLabel->position}) {
        position->setAxes(x, y);
    }
    panel.highlight->setClipAxisRect(rect);
    panel.highlight->setPen(QPen(FigureExporter::color(10), 3));
    panel.highlight->setBrush(Qt::NoBrush);
    panel.highlightLabel->setClipAxisRect(rect);
    panel.highlightLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    panel.highlightLabel->setColor(Qt::white);
    panel.highlightLabel->setBrush(FigureExporter::color(10));
    panel.highlightLabel->setPadding(QMargins(4, 1, 4, 1));
    panel.highlight->setVisible(false);
    panel.highlightLabel->setVisible(false);
    return panel;
}

void CoActivationHeatmap::setProfile(ProfileHandle profile) {
    m_profile = std::move(profile);
    const bool empty = !m_profile || m_profile->layers.empty();
    m_stack->setCurrentIndex(empty ? 0 : 1);
    fillLayerPicker(m_layerBox, m_profile.get());
    m_highlighted = -1;
    rebuild();
}

void CoActivationHeatmap::setPartitions(const QList<PartitionEntry>& partitions) {
    m_partitions = partitions;
    fillPartitionPicker(m_partitionBox, m_partitions, tr("None (original order)"));
    m_highlighted = -1;
    rebuild();
}

QList<Figure> CoActivationHeatmap::figures() const {
    if (!m_profile || m_profile->layers.empty()) {
        return {};
    }
    return {{QStringLiteral("coactivation"), tr("Co-activation heatmap"), m_plot},
            {QStringLiteral("coactivation-side-by-side"),
             tr("Co-activation, original and expert order"), m_pairPlot}};
}

int CoActivationHeatmap::currentLayer() const {
    return m_profile ? m_layerBox->currentIndex() : -1;
}

void CoActivationHeatmap::setCurrentLayer(int layer) {
    chooseIndex(m_layerBox, layer);
}

QString CoActivationHeatmap::currentPartition() const {
    return m_partitionBox->currentData().toString();
}

void CoActivationHeatmap::setCurrentPartition(const QString& name) {
    chooseData(m_partitionBox, name);
}

bool CoActivationHeatmap::isSideBySide() const {
    return m_sideBySide->isChecked();
}

void CoActivationHeatmap::setSideBySide(bool on) {
    m_sideBySide->setChecked(on);
}

int CoActivationHeatmap::expertAtPosition(int position) const {
    return position >= 0 && position < int(m_expertAt.size()) ? m_expertAt[position] : -1;
}

void CoActivationHeatmap::decoratePanel(MapPanel& panel, int dFf) {
    QCustomPlot* plot = panel.rect->parentPlot();
    for (QCPAbstractItem* item : panel.boundaries) {
        plot->removeItem(item);
    }
    panel.boundaries.clear();
    QCPAxis* x = panel.rect->axis(QCPAxis::atBottom);
    QCPAxis* y = panel.rect->axis(QCPAxis::atLeft);
    const bool experts = panel.ordered && m_expertSize > 0;
    const QString what = experts ? tr("Neuron (grouped by expert)") : tr("Neuron");
    x->setLabel(what);
    y->setLabel(what);
    if (!experts) {
        x->setTicker(QSharedPointer<QCPAxisTicker>::create());
        y->setTicker(QSharedPointer<QCPAxisTicker>::create());
        return;
    }
    // Expert names at block centres (every k-th when there are many), lines at block edges.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    // The side-by-side panels are half as wide: half as many names.
    const int room = plot == m_pairPlot ? 8 : 16;
    const int step = std::max(1, m_numExperts / room);
    for (int e = 0; e < m_numExperts; e += step) {
        ticker->addTick(e * m_expertSize + (m_expertSize - 1) / 2.0, expertName(e));
    }
    x->setTicker(ticker);
    y->setTicker(ticker);
    QList<double> edges;
    for (int e = 1; e < m_numExperts; ++e) {
        edges << e * m_expertSize - 0.5;
    }
    if (m_numExperts * m_expertSize < dFf) {
        edges << m_numExperts * m_expertSize - 0.5;  // start of the shared neurons
    }
    const QPen pen(QColor(255, 255, 255, 190), 1.0);
    for (double edge : edges) {
        for (bool vertical : {true, false}) {
            auto* line = new QCPItemLine(plot);
            line->start->setAxes(x, y);
            line->end->setAxes(x, y);
            line->setClipAxisRect(panel.rect);
            line->setPen(pen);
            if (vertical) {
                line->start->setCoords(edge, -0.5);
                line->end->setCoords(edge, dFf - 0.5);
            } else {
                line->start->setCoords(-0.5, edge);
                line->end->setCoords(dFf - 0.5, edge);
            }
            panel.boundaries << line;
        }
    }
}

void CoActivationHeatmap::rebuild() {
    m_preparation.cancel();  // the newest choice wins
    const int layerIndex = currentLayer();
    if (!m_profile || layerIndex < 0 || layerIndex >= int(m_profile->layers.size())) {
        m_order.clear();
        m_expertAt.clear();
        m_expertOf.clear();
        m_numExperts = m_expertSize = 0;
        m_shownLayer = -1;
        for (MapPanel* panel : {&m_single, &m_pairLeft, &m_pairRight}) {
            panel->map->data()->clear();
        }
        return;
    }
    const ProfileHandle profile = m_profile;
    const QString partitionName = currentPartition();
    const std::shared_ptr<const moewb::PartitionSet> set =
        chosenPartitionSet(m_partitionBox, m_partitions);
    if (!m_preparation.runner()) {
        moewb::Feedback feedback;
        HeatmapLayer prepared =
            prepareHeatmapLayer(*profile, layerIndex, set.get(), partitionName, feedback);
        showLayer(prepared);
        return;
    }
    m_info->setText(
        tr("%1: preparing the co-activation map…")
            .arg(QString::fromStdString(profile->layers[std::size_t(layerIndex)].name)));
    auto prepared = std::make_shared<HeatmapLayer>();
    m_preparation.start(
        tr("Preparing the co-activation map"),
        [=](moewb::Feedback& feedback) {
            *prepared =
                prepareHeatmapLayer(*profile, layerIndex, set.get(), partitionName, feedback);
        },
        [this, prepared](JobRunner::Outcome outcome, const QString& message) {
            if (outcome == JobRunner::Outcome::Succeeded) {
                showLayer(*prepared);
            } else if (outcome == JobRunner::Outcome::Failed) {
                m_info->setText(message);
            } else {
                m_info->setText(tr("Preparing the co-activation map was cancelled."));
            }
        });
}

void CoActivationHeatmap::showLayer(HeatmapLayer& prepared) {
    const auto& layer = m_profile->layers[std::size_t(prepared.layer)];
    m_shownLayer = prepared.layer;
    m_order = std::move(prepared.order);
    m_expertOf = std::move(prepared.expertOf);
    m_expertAt = std::move(prepared.expertAt);
    m_numExperts = prepared.numExperts;
    m_expertSize = prepared.expertSize;
    m_intraShare = prepared.intraShare;
    m_info->setText(prepared.info);
    // The plots take the prepared maps; the right panel of the pair shows the same cells as the
    // single map (a copy), the left one the neurons' own order.
    QCPColorMapData* ordered = prepared.ordered.release();
    m_single.map->setData(ordered, false);
    m_pairRight.map->setData(ordered, true);
    if (prepared.original) {
        m_pairLeft.map->setData(prepared.original.release(), false);
    } else {
        m_pairLeft.map->setData(ordered, true);
    }
    for (MapPanel* panel : {&m_single, &m_pairLeft, &m_pairRight}) {
        decoratePanel(*panel, layer.dFf);
    }
    // The diagonal (a neuron's own count) is the largest value; it sets the top of the scale.
    for (QCPColorScale* scale : {m_scale, m_pairScale}) {
        scale->setDataRange(QCPRange(0.0, std::max(1.0, std::log10(double(prepared.peak)))));
    }
    const QString name = QString::fromStdString(layer.name);
    const QString partition = currentPartition();
    auto* title = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0));
    title->setText(partition.isEmpty()
                       ? tr("Neuron co-activation — %1").arg(name)
                       : tr("Neuron co-activation — %1, experts of “%2”").arg(name, partition));
    auto* pairTitle = qobject_cast<QCPTextElement*>(m_pairPlot->plotLayout()->element(0, 0));
    pairTitle->setText(partition.isEmpty()
                           ? tr("Neuron co-activation — %1 (no partition chosen)").arg(name)
                           : tr("Neuron co-activation — %1: original order (left), experts of "
                                "“%2” (right)")
                                 .arg(name, partition));
    updateHighlight();
    resetZoom();
    replotVisible();
    Q_EMIT layerShown();
}

void CoActivationHeatmap::updateHighlight() {
    const bool on = m_highlighted >= 0 && m_highlighted < m_numExperts && m_expertSize > 0;
    for (MapPanel* panel : {&m_single, &m_pairRight}) {
        panel->highlight->setVisible(on);
        panel->highlightLabel->setVisible(on);
        if (on) {
            const double from = m_highlighted * m_expertSize - 0.5;
            const double to = from + m_expertSize;
            panel->highlight->topLeft->setCoords(from, from);
            panel->highlight->bottomRight->setCoords(to, to);
            panel->highlightLabel->position->setCoords(to, from);
            panel->highlightLabel->setText(tr("Expert %1").arg(m_highlighted));
        }
    }
}

void CoActivationHeatmap::highlightExpert(const QString& partition, int layer, int expert) {
    const int partitionIndex = m_partitionBox->findData(partition);
    if (!m_profile || partitionIndex < 0 || partition.isEmpty() || layer < 0 ||
        layer >= m_layerBox->count()) {
        m_highlighted = -1;
        updateHighlight();
        replotVisible();
        return;
    }
    if (partitionIndex != m_partitionBox->currentIndex() || layer != currentLayer()) {
        const QSignalBlocker layerBlocker(m_layerBox);
        const QSignalBlocker partitionBlocker(m_partitionBox);
        m_partitionBox->setCurrentIndex(partitionIndex);
        m_layerBox->setCurrentIndex(layer);
        rebuild();
    }
    m_highlighted = expert;
    updateHighlight();
    replotVisible();
}

void CoActivationHeatmap::resetZoom() {
    const int n = int(m_order.size());
    for (MapPanel* panel : {&m_single, &m_pairLeft, &m_pairRight}) {
        panel->rect->axis(QCPAxis::atBottom)->setRange(-0.5, std::max(1, n) - 0.5);
        panel->rect->axis(QCPAxis::atLeft)->setRange(-0.5, std::max(1, n) - 0.5);
    }
}

void CoActivationHeatmap::replotVisible() {
    // The hidden plot redraws itself when exported or shown (QCustomPlot draws on demand).
    (isSideBySide() ? m_pairPlot : m_plot)->replot(QCustomPlot::rpQueuedReplot);
}

QString CoActivationHeatmap::cellToolTip(bool ordered, int row, int column) const {
    const int n = int(m_order.size());
    const int layerIndex = m_shownLayer;  // the layer on the plots, not one still preparing
    if (!m_profile || layerIndex < 0 || row < 0 || column < 0 || row >= n || column >= n) {
        return {};
    }
    const auto& layer = m_profile->layers[std::size_t(layerIndex)];
    const int i = ordered ? m_order[std::size_t(row)] : row;
    const int j = ordered ? m_order[std::size_t(column)] : column;
    const QLocale locale;
    QString text = i == j ? tr("Neuron %1").arg(i) : tr("Neurons %1 and %2").arg(i).arg(j);
    if (m_expertSize > 0) {
        const int ei = m_expertOf[std::size_t(i)];
        const int ej = m_expertOf[std::size_t(j)];
        text += QStringLiteral("\n") +
                (i == j ? tr("Expert %1").arg(expertName(ei))
                        : tr("Experts %1 and %2").arg(expertName(ei), expertName(ej)));
    }
    const int64_t count = layer.coActivationAt(i, j);
    text += QStringLiteral("\n") +
            (i == j ? tr("Fires on %1 of %2 tokens") : tr("Both fire on %1 of %2 tokens"))
                .arg(locale.toString(qlonglong(count)), locale.toString(qlonglong(layer.tokens)));
    return text;
}

bool CoActivationHeatmap::eventFilter(QObject* watched, QEvent* event) {
    // Hover help per cell: the plot's own tooltip is the fallback outside the maps.
    auto* plot = qobject_cast<QCustomPlot*>(watched);
    if (event->type() != QEvent::ToolTip || (plot != m_plot && plot != m_pairPlot)) {
        return QWidget::eventFilter(watched, event);
    }
    auto* help = static_cast<QHelpEvent*>(event);
    const QString text = toolTipAt(plot, help->pos());
    QToolTip::showText(help->globalPos(), text.isEmpty() ? plot->toolTip() : text, plot);
    return true;
}

QString CoActivationHeatmap::toolTipAt(QCustomPlot* plot, const QPoint& pos) const {
    for (const MapPanel* panel : {&m_single, &m_pairLeft, &m_pairRight}) {
        if (panel->rect->parentPlot() != plot || !panel->rect->rect().contains(pos)) {
            continue;
        }
        const int column =
            int(std::lround(panel->rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
        const int row = int(std::lround(panel->rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        return cellToolTip(panel->ordered, row, column);
    }
    return {};
}

}  // namespace moewb::gui
