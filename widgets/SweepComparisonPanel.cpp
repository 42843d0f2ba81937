#include "SweepComparisonPanel.h"

#include "QCustomPlotHeader.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace moewb::gui {

namespace {

QCPGraph* addLine(QCPAxisRect* rect, const QString& name, const QColor& color) {
    auto* graph = new QCPGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setName(name);
    graph->setPen(QPen(color, 2));
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    return graph;
}

}  // namespace

SweepComparisonPanel::SweepComparisonPanel(QWidget* parent) : QWidget(parent) {
    QWidget* page = this;
    m_hint = new QLabel(
        tr("<p><b>No classic comparison yet.</b></p><p>Click “Run classic comparison…” to time the "
           "dense model and K = 1, 2, 4, 8 active experts over the first 10, 15, 20, 25 and 30 "
           "test sentences.</p>"),
        page);
    m_hint->setObjectName(QStringLiteral("comparisonHint"));
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setTextFormat(Qt::RichText);
    m_hint->setWordWrap(true);
    m_hint->setToolTip(tr("This tab fills in once a classic comparison has run"));

    m_combo = new QComboBox(page);
    m_combo->setObjectName(QStringLiteral("comparisonPicker"));
    m_combo->setToolTip(tr("Which saved comparison table to show"));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_combo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { refresh(); });
    m_info = new QLabel(page);
    m_info->setToolTip(tr("What the MoE columns ran with"));

    m_model = new QStandardItemModel(this);
    m_view = new QTableView(page);
    m_view->setObjectName(QStringLiteral("comparisonTable"));
    m_view->setModel(m_model);
    m_view->setToolTip(
        tr("Wall time, BLEU and speedup over dense per number of sentences and setting: dense "
           "and every K ran in alternating rounds, times are medians and the speedup is the "
           "median of the per-round ratios ± the farthest round"));
    m_view->verticalHeader()->setVisible(false);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // As tall as its five or so rows; the plot gets the rest.
    m_view->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Maximum);

    m_plot = new QCustomPlot(page);
    m_plot->setObjectName(QStringLiteral("comparisonPlot"));
    m_plot->setToolTip(
        tr("Time (left) and BLEU (right) against the number of test "
           "sentences, for dense and each K"));
    m_plot->setMinimumSize(420, 260);
    QCustomPlot* plot = m_plot;
    // Legend on its own row above two side-by-side charts (time, BLEU).
    QCPAxisRect* timeRect = plot->axisRect();
    plot->plotLayout()->take(timeRect);
    plot->plotLayout()->simplify();
    auto* bleuRect = new QCPAxisRect(plot);
    timeRect->insetLayout()->take(plot->legend);
    auto* charts = new QCPLayoutGrid;
    plot->plotLayout()->addElement(0, 0, plot->legend);
    plot->plotLayout()->addElement(1, 0, charts);
    plot->plotLayout()->setRowStretchFactor(0, 0.001);
    charts->addElement(0, 0, timeRect);
    charts->addElement(0, 1, bleuRect);
    plot->legend->setVisible(true);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setMargins(QMargins(6, 3, 6, 3));
    for (QCPAxisRect* rect : {timeRect, bleuRect}) {
        rect->axis(QCPAxis::atBottom)->setLabel(tr("Test sentences"));
        rect->axis(QCPAxis::atBottom)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    }
    timeRect->axis(QCPAxis::atLeft)->setLabel(tr("Time (s)"));
    bleuRect->axis(QCPAxis::atLeft)->setLabel(tr("BLEU"));
    FigureExporter::applyTheme(plot);

    auto* controls = new QHBoxLayout;
    auto* pickerLabel = new QLabel(tr("Comparison:"), page);
    pickerLabel->setToolTip(m_combo->toolTip());
    controls->addWidget(pickerLabel);
    controls->addWidget(m_combo);
    controls->addSpacing(12);
    controls->addWidget(m_info, 1);
    auto* content = new QWidget(page);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(controls);
    contentLayout->addWidget(m_view);
    contentLayout->addWidget(m_plot, 1);
    m_stack = new QStackedWidget(page);
    m_stack->addWidget(m_hint);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    FigureExporter::installContextMenu(figure());
    refresh();
}

Figure SweepComparisonPanel::figure() const {
    return {QStringLiteral("comparison"), tr("Classic comparison: time and BLEU"), m_plot};
}

bool SweepComparisonPanel::isShowingHint() const {
    return m_stack->currentWidget() == m_hint;
}

void SweepComparisonPanel::setComparisons(const QList<ComparisonEntry>& comparisons) {
    m_comparisons.clear();
    for (const auto& entry : comparisons) {
        if (entry.table) {
            m_comparisons.append(entry);
        }
    }
    const QSignalBlocker block(m_combo);
    m_combo->clear();
    for (const auto& entry : m_comparisons) {
        m_combo->addItem(entry.name);
    }
    m_combo->setCurrentIndex(static_cast<int>(m_comparisons.size()) - 1);
    m_combo->setEnabled(m_comparisons.size() > 1);
    refresh();
}

void SweepComparisonPanel::setCurrentComparison(int index) {
    m_combo->setCurrentIndex(index);
}

void SweepComparisonPanel::refresh() {
    const int index = m_combo->currentIndex();
    const bool empty = index < 0 || index >= m_comparisons.size();
    m_stack->setCurrentIndex(empty ? 0 : 1);
    m_model->clear();
    m_plot->clearGraphs();
    if (empty) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const auto& table = *m_comparisons[index].table;
    QStringList settings = {tr("Dense")};
    for (int k : table.ks) {
        settings << tr("K = %1").arg(k);
    }
    QStringList headers = {tr("Sentences")};
    for (int c = 0; c < settings.size(); ++c) {
        headers << tr("%1 time (s)").arg(settings[c]) << tr("%1 BLEU").arg(settings[c]);
        if (c > 0) {
            headers << tr("%1 speedup").arg(settings[c]);  // dense against itself says nothing
        }
    }
    m_model->setHorizontalHeaderLabels(headers);
    for (std::size_t s = 0; s < table.cells.size(); ++s) {
        QList<QStandardItem*> row = {new QStandardItem(QString::number(table.sentenceCounts[s]))};
        for (std::size_t c = 0; c < table.cells[s].size(); ++c) {
            const auto& cell = table.cells[s][c];
            row << new QStandardItem(QString::number(cell.seconds, 'f', 3))
                << new QStandardItem(QString::number(cell.bleu, 'f', 1));
            if (c > 0) {
                const QString speedup = QString::number(cell.speedup, 'f', 2);
                // One timing (a table saved before interleaved timing) has no spread to show.
                auto* item = new QStandardItem(
                    cell.rounds > 1
                        ? tr("×%1 ± %2").arg(speedup, QString::number(cell.speedupSpread, 'f', 2))
                        : tr("×%1").arg(speedup));
                if (cell.targetTokens > 0) {
                    item->setToolTip(tr("Per target token: ×%1 (%2 tokens against %3 dense)")
                                         .arg(cell.tokenSpeedup, 0, 'f', 2)
                                         .arg(cell.targetTokens)
                                         .arg(table.cells[s][0].targetTokens));
                }
                row << item;
            }
        }
        for (auto* item : row) {
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        m_model->appendRow(row);
    }
    m_view->resizeColumnsToContents();
    const auto& decoding = table.decoding;
    m_info->setText(
        tr("Router “%1” over partition “%2”, %3 experts; %4, batch %5")
            .arg(QString::fromStdString(table.router), QString::fromStdString(table.partition))
            .arg(table.numExperts)
            .arg(decoding.beamSize > 1 ? tr("beam %1").arg(decoding.beamSize) : tr("greedy"))
            .arg(decoding.batchSize));

    QCustomPlot* plot = m_plot;
    const QList<QCPAxisRect*> rects = plot->axisRects();
    for (int c = 0; c < settings.size(); ++c) {
        QVector<double> counts, seconds, bleu;
        for (std::size_t s = 0; s < table.cells.size(); ++s) {
            counts << table.sentenceCounts[s];
            seconds << table.cells[s][static_cast<std::size_t>(c)].seconds;
            bleu << table.cells[s][static_cast<std::size_t>(c)].bleu;
        }
        const QColor color = c == 0 ? FigureExporter::neutralColor() : FigureExporter::color(c - 1);
        addLine(rects[0], settings[c], color)->setData(counts, seconds, true);
        addLine(rects[1], settings[c], color)->setData(counts, bleu, true);
        plot->graph(plot->graphCount() - 1)->removeFromLegend();
    }
    for (QCPAxisRect* rect : rects) {
        auto ticker = rect->axis(QCPAxis::atBottom)->ticker().dynamicCast<QCPAxisTickerText>();
        ticker->clear();
        for (int count : table.sentenceCounts) {
            ticker->addTick(count, QString::number(count));
        }
        const auto [low, high] =
            std::minmax_element(table.sentenceCounts.begin(), table.sentenceCounts.end());
        const double pad = std::max(1.0, (*high - *low) * 0.06);
        rect->axis(QCPAxis::atBottom)->setRange(*low - pad, *high + pad);
        // From zero, so times and BLEU read as proportions.
        double top = 0.1;
        for (QCPGraph* graph : rect->graphs()) {
            for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
                top = std::max(top, it->value);
            }
        }
        rect->axis(QCPAxis::atLeft)->setRange(0, top * 1.12);
    }
    plot->legend->setWrap(settings.size());
    plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace moewb::gui
