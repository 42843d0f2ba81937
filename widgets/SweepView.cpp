#include "SweepView.h"

#include "SweepComparisonPanel.h"
#include "SweepTableModel.h"

#include "QCustomPlotHeader.h"

#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

namespace moewb::gui {

namespace {

bool isGrid(const moewb::SweepResult& result) {
    return std::any_of(result.rows.begin(), result.rows.end(),
                       [](const moewb::SweepRow& r) { return r.encoderK != r.decoderK; });
}

// The sweep with only its encoder K = decoder K rows (a grid sweep cut to its diagonal).
SweepEntry diagonalOf(const SweepEntry& entry) {
    auto diagonal = std::make_shared<moewb::SweepResult>(*entry.result);
    diagonal->rows.clear();
    for (const auto& row : entry.result->rows) {
        if (row.encoderK == row.decoderK) {
            diagonal->rows.push_back(row);
        }
    }
    return {entry.name, diagonal};
}

QLabel* makeHint(const QString& text, QWidget* parent) {
    auto* hint = new QLabel(text, parent);
    hint->setAlignment(Qt::AlignCenter);
    hint->setWordWrap(true);
    hint->setTextFormat(Qt::RichText);
    hint->setToolTip(SweepView::tr("This tab fills in once the project has a sweep"));
    return hint;
}

// K on a log₂ axis: 1, 2, 4, … as ticks, a little room either side of 1 and N.
void setKAxis(QCPAxis* axis, int maxK) {
    auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
    if (!ticker) {
        ticker = QSharedPointer<QCPAxisTickerText>::create();
        axis->setTicker(ticker);
        axis->setScaleType(QCPAxis::stLogarithmic);
    }
    ticker->clear();
    for (int k = 1; k <= maxK; k *= 2) {
        ticker->addTick(k, QString::number(k));
    }
    axis->setRange(0.85, std::max(2, maxK) * 1.18);
}

QCPGraph* addLine(QCPAxisRect* rect, const QString& name, const QColor& color, bool reference) {
    auto* graph = new QCPGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setName(name);
    graph->setPen(reference ? QPen(color, 1.5, Qt::DashLine) : QPen(color, 2));
    if (!reference) {
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    }
    return graph;
}

// 0 … a little above the largest value of the rect's graphs and error bars (at least `floor`).
void fitFromZero(QCPAxisRect* rect, double floor) {
    double top = floor;
    for (QCPGraph* graph : rect->graphs()) {
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            if (std::isfinite(it->value)) {
                top = std::max(top, it->value);
            }
        }
    }
    for (QCPAbstractPlottable* plottable : rect->plottables()) {
        if (qobject_cast<QCPErrorBars*>(plottable)) {
            bool found = false;
            const QCPRange range = plottable->getValueRange(found);
            if (found && std::isfinite(range.upper)) {
                top = std::max(top, range.upper);
            }
        }
    }
    rect->axis(QCPAxis::atLeft)->setRange(0, top * 1.12);
}

// A perceptually uniform dark-to-light scale (viridis stops), readable in greyscale print.
QCPColorGradient viridis() {
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(68, 1, 84));
    gradient.setColorStopAt(0.25, QColor(59, 82, 139));
    gradient.setColorStopAt(0.5, QColor(33, 145, 140));
    gradient.setColorStopAt(0.75, QColor(94, 201, 98));
    gradient.setColorStopAt(1.0, QColor(253, 231, 37));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

}  // namespace

SweepView::SweepView(QWidget* parent) : QWidget(parent) {
    m_runSweep = new QPushButton(tr("Run sweep…"), this);
    m_runSweep->setObjectName(QStringLiteral("runSweep"));
    m_runSweep->setToolTip(
        tr("Translate the test set with K = 1, 2, 4, … active experts and measure BLEU and time"));
    m_runComparison = new QPushButton(tr("Run classic comparison…"), this);
    m_runComparison->setObjectName(QStringLiteral("runComparison"));
    m_runComparison->setToolTip(
        tr("Time and BLEU for dense and K = 1, 2, 4, 8 over the first 10, 15, 20, 25 and 30 "
           "test sentences"));
    connect(m_runSweep, &QPushButton::clicked, this, &SweepView::runSweepRequested);
    connect(m_runComparison, &QPushButton::clicked, this, &SweepView::runComparisonRequested);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("sweepTabs"));
    m_tabs->addTab(buildSweepPage(), tr("Sweeps"));
    m_tabs->setTabToolTip(0, tr("BLEU, time and speedup against K for the checked sweeps"));
    m_comparison = new SweepComparisonPanel(this);
    m_tabs->addTab(m_comparison, tr("Classic comparison"));
    m_tabs->setTabToolTip(1, tr("Time and BLEU for dense and a few K over growing test sets"));

    // The heatmap is not in figures() until it has data, but keeps its menu throughout.
    for (const auto& figure : figures()) {
        FigureExporter::installContextMenu(figure);
    }
    FigureExporter::installContextMenu(
        {QStringLiteral("sweep-grid-bleu"), tr("BLEU over encoder K × decoder K"), m_gridPlot});

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_runSweep);
    buttons->addWidget(m_runComparison);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_tabs, 1);

    refreshSweeps();
}

QWidget* SweepView::buildSweepPage() {
    auto* page = new QWidget(this);
    m_sweepHint =
        makeHint(tr("<p><b>No sweeps yet.</b></p><p>Click “Run sweep…” to translate the test "
                    "set with K = 1, 2, 4, … active experts and see BLEU, time and "
                    "speedup against K.</p>"),
                 page);
    m_sweepHint->setObjectName(QStringLiteral("sweepHint"));

    m_sweepList = new QListWidget(page);
    m_sweepList->setObjectName(QStringLiteral("sweepList"));
    m_sweepList->setToolTip(tr("Check the sweeps to show in the plots and the table"));
    // Only as tall as its few names; the table below gets the rest.
    m_sweepList->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_sweepList->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Maximum);
    m_sweepList->setIconSize(QSize(12, 12));
    connect(m_sweepList, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        const QString name = item->text();
        m_unchecked.removeAll(name);
        if (item->checkState() != Qt::Checked) {
            m_unchecked << name;
        }
        refreshSweeps();
    });

    m_gridModeCombo = new QComboBox(page);
    m_gridModeCombo->setObjectName(QStringLiteral("gridMode"));
    m_gridModeCombo->addItem(tr("Heatmap of BLEU (encoder K × decoder K)"));
    m_gridModeCombo->addItem(tr("Diagonal only (encoder K = decoder K)"));
    m_gridModeCombo->setToolTip(
        tr("How to show sweeps that vary encoder K and decoder K separately"));
    connect(
        m_gridModeCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
        [this](int index) { setGridMode(index == 0 ? GridMode::Heatmap : GridMode::Diagonal); });
    m_gridSweepCombo = new QComboBox(page);
    m_gridSweepCombo->setObjectName(QStringLiteral("gridSweep"));
    m_gridSweepCombo->setToolTip(tr("Which grid sweep the heatmap shows"));
    m_gridSweepCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_gridSweepCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { refreshSweeps(); });
    m_exportCsv = new QPushButton(tr("Export CSV…"), page);
    m_exportCsv->setObjectName(QStringLiteral("exportCsv"));
    m_exportCsv->setToolTip(tr("Save the table as a CSV file (comma-separated, one row per K)"));
    connect(m_exportCsv, &QPushButton::clicked, this, &SweepView::askAndExportCsv);

    auto makeKPlot = [page](const QString& name, const QString& yLabel, const QString& tip) {
        auto* plot = new QCustomPlot(page);
        plot->setObjectName(name);
        plot->setToolTip(tip);
        plot->setMinimumSize(320, 170);
        plot->xAxis->setLabel(SweepView::tr("Active experts K"));
        plot->yAxis->setLabel(yLabel);
        // The legend gets its own row above the chart so it never hides a line.
        plot->legend->setVisible(true);
        plot->axisRect()->insetLayout()->take(plot->legend);
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, plot->legend);
        plot->plotLayout()->setRowStretchFactor(0, 0.001);
        plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        plot->legend->setWrap(2);
        plot->legend->setMargins(QMargins(4, 2, 4, 2));
        setKAxis(plot->xAxis, 16);
        FigureExporter::applyTheme(plot);
        return plot;
    };
    m_bleuPlot = makeKPlot(QStringLiteral("sweepBleu"), tr("BLEU"),
                           tr("BLEU against K; the dashed line is the dense model"));
    m_timePlot = makeKPlot(QStringLiteral("sweepTime"), tr("Time (s)"),
                           tr("Wall time of translating the test set; dashed: dense"));
    m_speedupPlot = makeKPlot(QStringLiteral("sweepSpeedup"), tr("Speedup (×)"),
                              tr("Dense time divided by MoE time; above 1 is faster than dense. "
                                 "Median of rounds that ran dense and MoE alternately; the bars "
                                 "reach the farthest round"));

    m_gridPlot = new QCustomPlot(page);
    m_gridPlot->setObjectName(QStringLiteral("sweepGrid"));
    m_gridPlot->setToolTip(tr("BLEU for every encoder K × decoder K of the grid sweep"));
    m_gridPlot->setMinimumSize(320, 240);
    m_gridPlot->xAxis->setLabel(tr("Encoder K"));
    m_gridPlot->yAxis->setLabel(tr("Decoder K"));
    m_gridPlot->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_gridPlot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_gridPlot->xAxis->grid()->setVisible(false);
    m_gridPlot->yAxis->grid()->setVisible(false);
    auto* scale = new QCPColorScale(m_gridPlot);
    scale->setLabel(tr("BLEU"));
    scale->setGradient(viridis());
    m_gridPlot->plotLayout()->addElement(0, 1, scale);
    auto* margins = new QCPMarginGroup(m_gridPlot);
    m_gridPlot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    auto* map = new QCPColorMap(m_gridPlot->xAxis, m_gridPlot->yAxis);
    map->setColorScale(scale);
    map->setGradient(viridis());
    map->setInterpolate(false);
    FigureExporter::applyTheme(m_gridPlot);

    m_tableModel = new SweepTableModel(this);
    m_tableView = new QTableView(page);
    m_tableView->setObjectName(QStringLiteral("sweepTable"));
    m_tableView->setModel(m_tableModel);
    m_tableView->setToolTip(tr("The numbers behind the plots; dense rows in italics"));
    m_tableView->verticalHeader()->setVisible(false);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setAlternatingRowColors(true);
    m_tableView->setIconSize(QSize(10, 10));
    // Room for the sweep, K, BLEU, time and speedup columns without scrolling.
    m_tableView->setMinimumWidth(420);
    // The three identifying columns repeat what the sweep name says; keep the table narrow.
    m_tableView->hideColumn(SweepTableModel::PartitionColumn);
    m_tableView->hideColumn(SweepTableModel::RouterColumn);

    auto* controls = new QHBoxLayout;
    auto* gridLabel = new QLabel(tr("Grid sweeps:"), page);
    gridLabel->setToolTip(m_gridModeCombo->toolTip());
    controls->addWidget(gridLabel);
    controls->addWidget(m_gridModeCombo);
    controls->addWidget(m_gridSweepCombo);
    controls->addStretch();
    controls->addWidget(m_exportCsv);

    auto* plots = new QWidget(page);
    m_plotGrid = new QGridLayout(plots);
    m_plotGrid->setContentsMargins(0, 0, 0, 0);
    m_plotGrid->setSpacing(4);
    auto* side = new QWidget(page);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_sweepList);
    sideLayout->addWidget(m_tableView, 1);
    auto* split = new QSplitter(Qt::Horizontal, page);
    split->addWidget(plots);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* content = new QWidget(page);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(controls);
    contentLayout->addWidget(split, 1);
    m_sweepStack = new QStackedWidget(page);
    m_sweepStack->addWidget(m_sweepHint);
    m_sweepStack->addWidget(content);
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(m_sweepStack);
    return page;
}

QList<Figure> SweepView::figures() const {
    QList<Figure> list = {
        {QStringLiteral("sweep-bleu"), tr("BLEU against active experts K"), m_bleuPlot},
        {QStringLiteral("sweep-time"), tr("Translation time against active experts K"), m_timePlot},
        {QStringLiteral("sweep-speedup"), tr("Speedup against active experts K"), m_speedupPlot},
        m_comparison->figure()};
    // The heatmap is a figure only while it has a grid sweep to show.
    if (m_gridPlot && m_gridPlot->property("hasData").toBool()) {
        list.append(
            {QStringLiteral("sweep-grid-bleu"), tr("BLEU over encoder K × decoder K"), m_gridPlot});
    }
    return list;
}

bool SweepView::isShowingSweepHint() const {
    return m_sweepStack->currentWidget() == m_sweepHint;
}

QCustomPlot* SweepView::comparisonPlot() const {
    return m_comparison->plot();
}

void SweepView::setComparisons(const QList<ComparisonEntry>& comparisons) {
    m_comparison->setComparisons(comparisons);
}

void SweepView::setSweeps(const QList<SweepEntry>& sweeps) {
    m_sweeps.clear();
    for (const auto& entry : sweeps) {
        if (entry.result) {
            m_sweeps.append(entry);
        }
    }
    {
        const QSignalBlocker block(m_sweepList);
        m_sweepList->clear();
        for (int i = 0; i < m_sweeps.size(); ++i) {
            const auto& result = *m_sweeps[i].result;
            auto* item = new QListWidgetItem(m_sweeps[i].name, m_sweepList);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            item->setCheckState(m_unchecked.contains(m_sweeps[i].name) ? Qt::Unchecked
                                                                       : Qt::Checked);
            item->setData(Qt::DecorationRole, FigureExporter::color(i));
            item->setToolTip(
                tr("Partition %1, router %2, %3 experts%4")
                    .arg(QString::fromStdString(result.partition),
                         QString::fromStdString(result.router))
                    .arg(result.numExperts)
                    .arg(isGrid(result) ? tr(", encoder K × decoder K grid") : QString()));
        }
    }
    refreshSweeps();
}

QStringList SweepView::checkedSweeps() const {
    QStringList names;
    for (int i = 0; i < m_sweepList->count(); ++i) {
        if (m_sweepList->item(i)->checkState() == Qt::Checked) {
            names << m_sweepList->item(i)->text();
        }
    }
    return names;
}

void SweepView::setSweepChecked(const QString& name, bool checked) {
    for (int i = 0; i < m_sweepList->count(); ++i) {
        if (m_sweepList->item(i)->text() == name) {
            m_sweepList->item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
        }
    }
}

void SweepView::setGridMode(GridMode mode) {
    m_gridMode = mode;
    const QSignalBlocker block(m_gridModeCombo);
    m_gridModeCombo->setCurrentIndex(mode == GridMode::Heatmap ? 0 : 1);
    refreshSweeps();
}

void SweepView::refreshSweeps() {
    m_sweepStack->setCurrentIndex(m_sweeps.isEmpty() ? 0 : 1);
    const QStringList checked = checkedSweeps();
    QList<SweepEntry> lines, grids, table;
    QList<int> lineColors, tableColors;
    for (int i = 0; i < m_sweeps.size(); ++i) {
        if (!checked.contains(m_sweeps[i].name)) {
            continue;
        }
        const bool grid = isGrid(*m_sweeps[i].result);
        if (grid && m_gridMode == GridMode::Heatmap) {
            grids << m_sweeps[i];
            table << m_sweeps[i];
        } else {
            lines << (grid ? diagonalOf(m_sweeps[i]) : m_sweeps[i]);
            lineColors << i;
            table << lines.back();
        }
        tableColors << i;
    }
    const bool anyGrid = std::any_of(m_sweeps.begin(), m_sweeps.end(),
                                     [](const SweepEntry& e) { return isGrid(*e.result); });
    m_gridModeCombo->setEnabled(anyGrid);
    m_tableModel->setSweeps(table, tableColors);
    m_tableView->resizeColumnsToContents();
    m_exportCsv->setEnabled(m_tableModel->rowCount() > 0);
    refreshLinePlots(lines, lineColors);
    refreshGridPlot(grids);
    // The line plots stay (empty) when nothing is checked; they give way when only grids show.
    const bool showLines = !lines.isEmpty() || grids.isEmpty();
    arrangePlots(showLines, !grids.isEmpty());
    m_gridSweepCombo->setVisible(!grids.isEmpty());
    m_gridSweepCombo->setEnabled(grids.size() > 1);
}

void SweepView::arrangePlots(bool lines, bool heatmap) {
    for (QCustomPlot* plot : {m_bleuPlot, m_timePlot, m_speedupPlot, m_gridPlot}) {
        m_plotGrid->removeWidget(plot);
    }
    // Two by two; a plot without a neighbour takes the whole row (or the heatmap everything).
    if (lines) {
        m_plotGrid->addWidget(m_bleuPlot, 0, 0);
        m_plotGrid->addWidget(m_timePlot, 0, 1);
        m_plotGrid->addWidget(m_speedupPlot, 1, 0, 1, heatmap ? 1 : 2);
        if (heatmap) {
            m_plotGrid->addWidget(m_gridPlot, 1, 1);
        }
    } else if (heatmap) {
        m_plotGrid->addWidget(m_gridPlot, 0, 0, 2, 2);
    }
    for (QCustomPlot* plot : {m_bleuPlot, m_timePlot, m_speedupPlot}) {
        plot->setVisible(lines);
    }
    m_gridPlot->setVisible(heatmap);
}

void SweepView::refreshLinePlots(const QList<SweepEntry>& lines, const QList<int>& colors) {
    for (QCustomPlot* plot : {m_bleuPlot, m_timePlot, m_speedupPlot}) {
        plot->clearPlottables();  // the graphs and the speedup's error bars
    }
    int maxN = 1;
    for (const auto& entry : lines) {
        maxN = std::max(maxN, entry.result->numExperts);
    }
    for (int i = 0; i < lines.size(); ++i) {
        const auto& result = *lines[i].result;
        const QColor color = FigureExporter::color(colors[i]);
        QVector<double> ks, bleu, seconds, speedup, spread;
        auto rows = result.rows;
        std::sort(rows.begin(), rows.end(),
                  [](const auto& a, const auto& b) { return a.encoderK < b.encoderK; });
        for (const auto& row : rows) {
            if (row.threshold > 0) {
                continue;  // a dynamic-K row's K is only its bound: not a point on the K axis
            }
            ks << row.encoderK;
            bleu << row.bleu;
            seconds << row.seconds;
            speedup << row.speedup;
            spread << row.speedupSpread;
        }
        // Dense runs every expert: drawn from K = 1 to N as the level to compare against.
        const QVector<double> span = {1.0, double(std::max(1, result.numExperts))};
        const QString denseName = tr("%1 (dense)").arg(lines[i].name);
        addLine(m_bleuPlot->axisRect(), lines[i].name, color, false)->setData(ks, bleu, true);
        QCPGraph* denseBleu = addLine(m_bleuPlot->axisRect(), denseName, color, true);
        denseBleu->setData(span, {result.dense.bleu, result.dense.bleu}, true);
        denseBleu->removeFromLegend();
        addLine(m_timePlot->axisRect(), lines[i].name, color, false)->setData(ks, seconds, true);
        QCPGraph* denseTime = addLine(m_timePlot->axisRect(), denseName, color, true);
        denseTime->setData(span, {result.dense.seconds, result.dense.seconds}, true);
        denseTime->removeFromLegend();
        QCPGraph* speedupLine = addLine(m_speedupPlot->axisRect(), lines[i].name, color, false);
        speedupLine->setData(ks, speedup, true);
        // The spread of the interleaved rounds: a speedup whose bar crosses 1 is no speedup.
        auto* bars = new QCPErrorBars(m_speedupPlot->xAxis, m_speedupPlot->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(speedupLine);
        bars->setData(spread);
        bars->setPen(QPen(color, 1.2));
    }
    if (!lines.isEmpty()) {
        // One legend key for the dashed dense lines (in each sweep's colour) instead of one
        // entry per sweep; it has no data of its own.
        for (QCustomPlot* plot : {m_bleuPlot, m_timePlot}) {
            addLine(plot->axisRect(), tr("dense (dashed)"), FigureExporter::neutralColor(), true);
        }
        addLine(m_speedupPlot->axisRect(), tr("dense (1×)"), FigureExporter::neutralColor(), true)
            ->setData({1.0, double(maxN)}, {1.0, 1.0}, true);
    }
    for (QCustomPlot* plot : {m_bleuPlot, m_timePlot, m_speedupPlot}) {
        setKAxis(plot->xAxis, maxN);
        // BLEU and speedup keep a readable scale when everything is 0; times are data-scaled.
        fitFromZero(plot->axisRect(), plot == m_speedupPlot ? 1.2
                                      : plot == m_bleuPlot  ? 1.0
                                                            : 1e-6);
        plot->legend->setVisible(!lines.isEmpty());
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void SweepView::refreshGridPlot(const QList<SweepEntry>& grids) {
    {
        const QSignalBlocker block(m_gridSweepCombo);
        const QString current = m_gridSweepCombo->currentText();
        m_gridSweepCombo->clear();
        for (const auto& entry : grids) {
            m_gridSweepCombo->addItem(entry.name);
        }
        m_gridSweepCombo->setCurrentIndex(std::max(0, m_gridSweepCombo->findText(current)));
    }
    m_gridPlot->clearItems();
    auto* map = qobject_cast<QCPColorMap*>(m_gridPlot->plottable(0));
    m_gridPlot->setProperty("hasData", !grids.isEmpty());
    if (grids.isEmpty()) {
        map->data()->clear();
        m_gridPlot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const auto& result = *grids[std::max(0, m_gridSweepCombo->currentIndex())].result;
    std::set<int> encoderSet, decoderSet;
    for (const auto& row : result.rows) {
        if (row.threshold > 0) {
            continue;  // dynamic-K rows have no cell of their own (the table lists them)
        }
        encoderSet.insert(row.encoderK);
        decoderSet.insert(row.decoderK);
    }
    const std::vector<int> encoderKs(encoderSet.begin(), encoderSet.end());
    const std::vector<int> decoderKs(decoderSet.begin(), decoderSet.end());
    const int nx = static_cast<int>(encoderKs.size()), ny = static_cast<int>(decoderKs.size());
    // One cell per (encoder K, decoder K) at integer positions; missing pairs stay transparent.
    map->data()->setSize(nx, ny);
    // A single row or column spans its cell (QCustomPlot stretches a 1-cell side to the range).
    auto cells = [](int n) { return n > 1 ? QCPRange(0, n - 1) : QCPRange(-0.5, 0.5); };
    map->data()->setRange(cells(nx), cells(ny));
    map->data()->fill(std::nan(""));
    double low = result.dense.bleu, high = result.dense.bleu;
    for (const auto& row : result.rows) {
        if (row.threshold > 0) {
            continue;
        }
        const int x = static_cast<int>(std::find(encoderKs.begin(), encoderKs.end(), row.encoderK) -
                                       encoderKs.begin());
        const int y = static_cast<int>(std::find(decoderKs.begin(), decoderKs.end(), row.decoderK) -
                                       decoderKs.begin());
        map->data()->setCell(x, y, row.bleu);
        low = std::min(low, row.bleu);
        high = std::max(high, row.bleu);
        auto* label = new QCPItemText(m_gridPlot);
        label->position->setCoords(x, y);
        label->setText(QString::number(row.bleu, 'f', 1));
    }
    const QCPRange range(low, high > low ? high : low + 1);
    map->setDataRange(range);
    // Light text on the dark end of the scale, dark on the light end (needs the final range).
    for (int i = 0; i < m_gridPlot->itemCount(); ++i) {
        auto* label = qobject_cast<QCPItemText*>(m_gridPlot->item(i));
        const double t = (label->text().toDouble() - range.lower) / range.size();
        label->setColor(t < 0.6 ? Qt::white : Qt::black);
    }
    for (auto [axis, ks] :
         {std::pair{m_gridPlot->xAxis, &encoderKs}, std::pair{m_gridPlot->yAxis, &decoderKs}}) {
        auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
        ticker->clear();
        for (int i = 0; i < static_cast<int>(ks->size()); ++i) {
            ticker->addTick(i, QString::number((*ks)[static_cast<std::size_t>(i)]));
        }
        axis->setRange(-0.5, static_cast<double>(ks->size()) - 0.5);
    }
    map->colorScale()->setLabel(tr("BLEU (dense %1)").arg(result.dense.bleu, 0, 'f', 1));
    m_gridPlot->replot(QCustomPlot::rpQueuedReplot);
}

bool SweepView::exportCsv(const QString& path, QString* error) const {
    return m_tableModel->exportCsv(path, error);
}

void SweepView::askAndExportCsv() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export sweep table"), QStringLiteral("sweeps.csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (!exportCsv(path, &error)) {
        QMessageBox::warning(this, tr("Export CSV"), error);
    }
}

}  // namespace moewb::gui
