#include "GateAccuracyView.h"

#include "ExpertLoadPlot.h"

#include "QCustomPlotHeader.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

namespace moewb::gui {

namespace {

// Quality at K (1-based) of one layer, or NaN when the router set has no such layer or K.
double qualityAt(const std::vector<double>& values, int k) {
    return k >= 1 && k <= static_cast<int>(values.size()) ? values[static_cast<std::size_t>(k - 1)]
                                                          : std::nan("");
}

double meanOverLayers(const moewb::RouterSet& set, int k, bool coverage) {
    double sum = 0;
    int count = 0;
    for (const auto& quality : set.quality) {
        const double value = qualityAt(coverage ? quality.massCoverage : quality.recall, k);
        if (!std::isnan(value)) {
            sum += value;
            ++count;
        }
    }
    return count > 0 ? sum / count : std::nan("");
}

int expertCount(const moewb::RouterSet& set) {
    return set.quality.empty() ? 0 : static_cast<int>(set.quality.front().recall.size());
}

QStandardItem* numberItem(double value) {
    auto* item = new QStandardItem(std::isnan(value) ? QString() : QString::number(value, 'f', 3));
    item->setData(value, Qt::UserRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

}  // namespace

GateAccuracyView::GateAccuracyView(QWidget* parent) : QWidget(parent) {
    m_hint = new QLabel(
        tr("<p><b>No routers yet.</b></p><p>Run the Routers step (train routers over a partition) "
           "to see how often each router picks the experts the oracle would pick.</p>"),
        this);
    m_hint->setObjectName(QStringLiteral("gateAccuracyHint"));
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::RichText);
    m_hint->setToolTip(tr("This view fills in once the project has trained routers"));

    m_kSpin = new QSpinBox(this);
    m_kSpin->setObjectName(QStringLiteral("gateK"));
    m_kSpin->setRange(1, 1);
    m_kSpin->setToolTip(
        tr("Active experts K per token: the bars and the table show recall@K and mass coverage "
           "at this K"));
    m_layerCombo = new QComboBox(this);
    m_layerCombo->setObjectName(QStringLiteral("gateLayer"));
    m_layerCombo->setToolTip(
        tr("Which layer the recall-vs-K plot shows, or the mean over all layers"));
    m_layerCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_layersPlot = new QCustomPlot(this);
    m_layersPlot->setObjectName(QStringLiteral("gateAccuracyLayers"));
    m_layersPlot->setToolTip(
        tr("Recall@K (share of the oracle's top-K experts the router picks) and mass coverage "
           "(share of the oracle's expert activation mass in the router's top K), per layer"));
    m_layersPlot->setMinimumSize(360, 260);
    m_recallPlot = new QCustomPlot(this);
    m_recallPlot->setObjectName(QStringLiteral("gateRecallVsK"));
    m_recallPlot->setToolTip(
        tr("Recall@K against K for each router; the dashed line is picking experts at random"));
    m_recallPlot->setMinimumSize(360, 220);
    setUpLayersPlot();
    setUpRecallPlot();
    m_loadPlot = new ExpertLoadPlot(this);
    m_loadRouter = new QComboBox(this);
    m_loadRouter->setObjectName(QStringLiteral("gateLoadRouter"));
    m_loadRouter->setToolTip(tr("The router whose expert load is shown"));
    m_loadRouter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_loadLayer = new QComboBox(this);
    m_loadLayer->setObjectName(QStringLiteral("gateLoadLayer"));
    m_loadLayer->setToolTip(tr("The layer whose per-expert load is shown"));
    m_loadLayer->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_table = new QStandardItemModel(this);
    m_tableView = new QTableView(this);
    m_tableView->setObjectName(QStringLiteral("gateAccuracyTable"));
    m_tableView->setModel(m_table);
    m_tableView->setToolTip(tr("Held-out recall@K and mass coverage per router and layer"));
    m_tableView->verticalHeader()->setVisible(false);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tableView->setAlternatingRowColors(true);
    m_tableView->setIconSize(QSize(10, 10));

    for (const auto& figure : figures()) {
        FigureExporter::installContextMenu(figure);
    }

    auto* controls = new QHBoxLayout;
    auto* kLabel = new QLabel(tr("Active experts K:"), this);
    kLabel->setBuddy(m_kSpin);
    kLabel->setToolTip(m_kSpin->toolTip());
    auto* layerLabel = new QLabel(tr("Recall vs K for:"), this);
    layerLabel->setBuddy(m_layerCombo);
    layerLabel->setToolTip(m_layerCombo->toolTip());
    controls->addWidget(kLabel);
    controls->addWidget(m_kSpin);
    controls->addSpacing(16);
    controls->addWidget(layerLabel);
    controls->addWidget(m_layerCombo);
    controls->addSpacing(16);
    auto* loadLabel = new QLabel(tr("Load of:"), this);
    loadLabel->setBuddy(m_loadRouter);
    loadLabel->setToolTip(m_loadRouter->toolTip());
    controls->addWidget(loadLabel);
    controls->addWidget(m_loadRouter);
    controls->addWidget(m_loadLayer);
    controls->addStretch();

    auto* plots = new QSplitter(Qt::Vertical, this);
    plots->addWidget(m_layersPlot);
    plots->addWidget(m_recallPlot);
    plots->addWidget(m_loadPlot);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 2);
    plots->setStretchFactor(2, 3);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(plots);
    split->addWidget(m_tableView);
    split->setStretchFactor(0, 5);
    split->setStretchFactor(1, 2);

    auto* page = new QWidget(this);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->addLayout(controls);
    pageLayout->addWidget(split, 1);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_hint);
    m_stack->addWidget(page);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    connect(m_kSpin, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        refreshLayersPlot();
        refreshRecallPlot();
        refreshTable();
        m_loadPlot->setK(m_kSpin->value());
    });
    connect(m_layerCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { refreshRecallPlot(); });
    connect(m_loadRouter, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { refreshLoad(); });
    connect(m_loadLayer, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int layer) { m_loadPlot->setLayer(std::max(0, layer)); });
    rebuildControls();
}

QList<Figure> GateAccuracyView::figures() const {
    return {{QStringLiteral("gate-accuracy-layers"), tr("Gate accuracy per layer"), m_layersPlot},
            {QStringLiteral("gate-recall-vs-k"), tr("Router recall against K"), m_recallPlot},
            {QStringLiteral("gate-expert-load"), tr("Expert load at K"), m_loadPlot}};
}

QAbstractItemModel* GateAccuracyView::tableModel() const {
    return m_table;
}

bool GateAccuracyView::isShowingHint() const {
    return m_stack->currentWidget() == m_hint;
}

int GateAccuracyView::k() const {
    return m_kSpin->value();
}

void GateAccuracyView::setK(int k) {
    m_kSpin->setValue(k);
}

int GateAccuracyView::recallLayer() const {
    return m_layerCombo->currentIndex() <= 0 ? -1 : m_layerCombo->currentIndex() - 1;
}

void GateAccuracyView::setRouters(const QList<RouterEntry>& routers) {
    m_routers.clear();
    for (const auto& entry : routers) {
        if (entry.set && !entry.set->quality.empty()) {
            m_routers.append(entry);
        }
    }
    rebuildControls();
}

void GateAccuracyView::setLayerNames(const QStringList& names) {
    m_layerNames = names;
    rebuildControls();
}

int GateAccuracyView::layerCount() const {
    int layers = 0;
    for (const auto& entry : m_routers) {
        layers = std::max(layers, static_cast<int>(entry.set->quality.size()));
    }
    return layers;
}

int GateAccuracyView::smallestExpertCount() const {
    int n = 0;
    for (const auto& entry : m_routers) {
        const int count = expertCount(*entry.set);
        n = n == 0 ? count : std::min(n, count);
    }
    return n;
}

QString GateAccuracyView::layerLabel(int layer) const {
    if (layer < m_layerNames.size()) {
        static const QRegularExpression pattern(QStringLiteral("^(encoder|decoder)(\\d+)$"));
        const auto match = pattern.match(m_layerNames[layer]);
        if (match.hasMatch()) {
            const int number = match.captured(2).toInt() + 1;
            return match.captured(1) == QLatin1String("encoder") ? tr("enc %1").arg(number)
                                                                 : tr("dec %1").arg(number);
        }
        return m_layerNames[layer];
    }
    return tr("L%1").arg(layer + 1);
}

void GateAccuracyView::rebuildControls() {
    const bool empty = m_routers.isEmpty();
    m_stack->setCurrentIndex(empty ? 0 : 1);
    const int n = std::max(1, smallestExpertCount());
    {
        // Refresh once at the end, not on every intermediate value.
        const QSignalBlocker blockK(m_kSpin);
        const QSignalBlocker blockLayer(m_layerCombo);
        const bool firstData = m_kSpin->maximum() == 1;
        m_kSpin->setRange(1, n);
        if (firstData) {
            m_kSpin->setValue(std::max(1, n / 4));
        }
        const int layer = m_layerCombo->currentIndex();
        m_layerCombo->clear();
        m_layerCombo->addItem(tr("Mean of layers"));
        for (int l = 0; l < layerCount(); ++l) {
            m_layerCombo->addItem(layerLabel(l));
        }
        m_layerCombo->setCurrentIndex(std::clamp(layer, 0, m_layerCombo->count() - 1));
        const QSignalBlocker blockRouter(m_loadRouter);
        const QSignalBlocker blockLoadLayer(m_loadLayer);
        const QString router = m_loadRouter->currentText();
        const int loadLayer = m_loadLayer->currentIndex();
        m_loadRouter->clear();
        m_loadLayer->clear();
        for (const auto& entry : m_routers) {
            m_loadRouter->addItem(entry.name);
        }
        for (int l = 0; l < layerCount(); ++l) {
            m_loadLayer->addItem(layerLabel(l));
        }
        m_loadRouter->setCurrentIndex(std::max(0, m_loadRouter->findText(router)));
        m_loadLayer->setCurrentIndex(std::clamp(loadLayer, 0, m_loadLayer->count() - 1));
    }
    refreshLoad();
    refreshLayersPlot();
    refreshRecallPlot();
    refreshTable();
}

void GateAccuracyView::setUpLayersPlot() {
    QCustomPlot* plot = m_layersPlot;
    auto* coverageRect = new QCPAxisRect(plot);
    plot->plotLayout()->addElement(1, 0, coverageRect);
    // The legend gets its own row above both bar charts so it never hides a bar.
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, plot->legend);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setWrap(4);
    plot->legend->setMargins(QMargins(6, 3, 6, 3));
    plot->plotLayout()->setRowStretchFactor(0, 0.001);
    auto* margins = new QCPMarginGroup(plot);
    for (auto& group : m_barGroups) {
        // Bars of different routers side by side at each layer, 1 px apart.
        group = new QCPBarsGroup(plot);
        group->setSpacingType(QCPBarsGroup::stAbsolute);
        group->setSpacing(1);
    }
    for (QCPAxisRect* rect : plot->axisRects()) {
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        rect->axis(QCPAxis::atLeft)->setRange(0, 1.05);
        rect->axis(QCPAxis::atBottom)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        rect->axis(QCPAxis::atBottom)->grid()->setVisible(false);
    }
    FigureExporter::applyTheme(plot);
}

void GateAccuracyView::setUpRecallPlot() {
    QCustomPlot* plot = m_recallPlot;
    plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    plot->xAxis->setLabel(tr("Active experts K (of N)"));
    plot->yAxis->setLabel(tr("Recall@K"));
    plot->yAxis->setRange(0, 1.05);
    // Which layer the lines are for, as a title, so an exported figure says it too.
    plot->plotLayout()->insertRow(0);
    m_recallTitle = new QCPTextElement(plot);
    plot->plotLayout()->addElement(0, 0, m_recallTitle);
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    FigureExporter::applyTheme(plot);
}

void GateAccuracyView::refreshLayersPlot() {
    QCustomPlot* plot = m_layersPlot;
    plot->clearPlottables();
    const int k = m_kSpin->value();
    const int layers = layerCount();
    const QList<QCPAxisRect*> rects = plot->axisRects();
    const int routers = static_cast<int>(m_routers.size());
    const double width = 0.8 / std::max(1, routers);
    for (int metric = 0; metric < 2; ++metric) {
        QCPAxisRect* rect = rects[metric];
        QCPBarsGroup* group = m_barGroups[static_cast<std::size_t>(metric)];
        for (int r = 0; r < routers; ++r) {
            const auto& set = *m_routers[r].set;
            auto* bars = new QCPBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            bars->setName(m_routers[r].name);
            bars->setWidth(width);
            bars->setBarsGroup(group);
            const QColor color = FigureExporter::color(r);
            bars->setPen(QPen(color.darker(130), 1));
            bars->setBrush(color);
            QVector<double> keys, values;
            for (int l = 0; l < static_cast<int>(set.quality.size()); ++l) {
                const auto& quality = set.quality[static_cast<std::size_t>(l)];
                const double value =
                    qualityAt(metric == 0 ? quality.recall : quality.massCoverage, k);
                if (!std::isnan(value)) {
                    keys << l;
                    values << value;
                }
            }
            bars->setData(keys, values, true);
            if (metric == 1) {
                bars->removeFromLegend();
            }
        }
        auto ticker = rect->axis(QCPAxis::atBottom)->ticker().dynamicCast<QCPAxisTickerText>();
        ticker->clear();
        for (int l = 0; l < layers; ++l) {
            ticker->addTick(l, layerLabel(l));
        }
        rect->axis(QCPAxis::atBottom)->setRange(-0.6, std::max(0, layers - 1) + 0.6);
        rect->axis(QCPAxis::atLeft)
            ->setLabel(metric == 0 ? tr("Recall@%1").arg(k) : tr("Mass coverage@%1").arg(k));
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void GateAccuracyView::refreshRecallPlot() {
    QCustomPlot* plot = m_recallPlot;
    plot->clearGraphs();
    plot->clearItems();
    const int layer = recallLayer();
    int maxN = 1;
    std::set<int> expertCounts;
    for (int r = 0; r < static_cast<int>(m_routers.size()); ++r) {
        const auto& set = *m_routers[r].set;
        const int n = expertCount(set);
        maxN = std::max(maxN, n);
        expertCounts.insert(n);
        QCPGraph* graph = plot->addGraph();
        graph->setName(m_routers[r].name);
        graph->setPen(QPen(FigureExporter::color(r), 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        QVector<double> keys, values;
        for (int k = 1; k <= n; ++k) {
            const double value =
                layer < 0 ? meanOverLayers(set, k, false)
                          : (layer < static_cast<int>(set.quality.size())
                                 ? qualityAt(set.quality[static_cast<std::size_t>(layer)].recall, k)
                                 : std::nan(""));
            if (!std::isnan(value)) {
                keys << k;
                values << value;
            }
        }
        graph->setData(keys, values, true);
    }
    // Random choice: a uniformly random top-K hits K/N of the oracle's top-K on average.
    for (int n : expertCounts) {
        QCPGraph* baseline = plot->addGraph();
        baseline->setName(expertCounts.size() == 1 ? tr("random choice (K/N)")
                                                   : tr("random choice (N = %1)").arg(n));
        baseline->setPen(QPen(FigureExporter::neutralColor(), 1.5, Qt::DashLine));
        QVector<double> keys, values;
        for (int k = 1; k <= n; ++k) {
            keys << k;
            values << double(k) / n;
        }
        baseline->setData(keys, values, true);
    }
    if (!m_routers.isEmpty()) {
        auto* marker = new QCPItemStraightLine(plot);
        marker->point1->setCoords(m_kSpin->value(), 0);
        marker->point2->setCoords(m_kSpin->value(), 1);
        marker->setPen(QPen(QColor(150, 150, 150), 1, Qt::DotLine));
    }
    auto ticker = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    ticker->clear();
    for (int k = 1; k <= maxN; k *= 2) {
        ticker->addTick(k, QString::number(k));
    }
    plot->xAxis->setRange(0.85, maxN * 1.18);
    m_recallTitle->setText(layer < 0 ? tr("Recall@K, mean of layers")
                                     : tr("Recall@K, layer %1").arg(layerLabel(layer)));
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void GateAccuracyView::refreshTable() {
    const int k = m_kSpin->value();
    m_table->clear();
    m_table->setHorizontalHeaderLabels(
        {tr("Router"), tr("Layer"), tr("Recall@%1").arg(k), tr("Coverage@%1").arg(k)});
    const QStringList tips = {tr("Name of the router set (hover a name for its partition)"),
                              tr("FFN layer (encoder first)"),
                              tr("Share of the oracle's top-K experts the router picks"),
                              tr("Mass coverage: share of the oracle's activation mass in the "
                                 "router's top K")};
    for (int c = 0; c < tips.size(); ++c) {
        m_table->horizontalHeaderItem(c)->setToolTip(tips[c]);
    }
    for (int r = 0; r < static_cast<int>(m_routers.size()); ++r) {
        const auto& entry = m_routers[r];
        auto addRow = [&](const QString& layer, double recall, double coverage, bool mean) {
            auto* name = new QStandardItem(entry.name);
            name->setData(FigureExporter::color(r), Qt::DecorationRole);
            name->setToolTip(tr("%1 routes over partition “%2”").arg(entry.name, entry.partition));
            QList<QStandardItem*> row = {name, new QStandardItem(layer), numberItem(recall),
                                         numberItem(coverage)};
            for (auto* item : row) {
                if (mean) {
                    QFont font = item->font();
                    font.setBold(true);
                    item->setFont(font);
                }
            }
            m_table->appendRow(row);
        };
        for (int l = 0; l < static_cast<int>(entry.set->quality.size()); ++l) {
            const auto& quality = entry.set->quality[static_cast<std::size_t>(l)];
            addRow(layerLabel(l), qualityAt(quality.recall, k), qualityAt(quality.massCoverage, k),
                   false);
        }
        addRow(tr("mean"), meanOverLayers(*entry.set, k, false),
               meanOverLayers(*entry.set, k, true), true);
    }
    m_tableView->resizeColumnsToContents();
    // Wide enough for every column, so the numbers are never behind a scroll bar.
    int width =
        2 * m_tableView->frameWidth() + m_tableView->verticalScrollBar()->sizeHint().width();
    for (int c = 0; c < m_table->columnCount(); ++c) {
        width += m_tableView->columnWidth(c);
    }
    m_tableView->setMinimumWidth(std::min(width, 520));
}

void GateAccuracyView::refreshLoad() {
    ExpertLoadPlot::Load load;
    const int r = m_loadRouter->currentIndex();
    if (r >= 0 && r < m_routers.size()) {
        load.router = m_routers[r].name;
        for (const auto& quality : m_routers[r].set->quality) {
            load.load.push_back(quality.load);
            load.cv.push_back(quality.loadCv);
        }
    }
    QStringList labels;
    for (int l = 0; l < layerCount(); ++l) {
        labels << layerLabel(l);
    }
    m_loadPlot->setLayerLabels(labels);
    m_loadPlot->setK(m_kSpin->value());
    m_loadPlot->setLayer(std::max(0, m_loadLayer->currentIndex()));
    m_loadPlot->setLoad(load);
}

}  // namespace moewb::gui
