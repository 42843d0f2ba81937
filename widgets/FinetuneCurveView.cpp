#include "FinetuneCurveView.h"

#include "QCustomPlotHeader.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace moewb::gui {

namespace {

double seriesValue(const moewb::FinetunePoint& point, int series) {
    switch (series) {
        case 0:
            return point.loss;
        case 1:
            return point.kd;
        case 2:
            return point.ce;
        default:
            return point.mse;
    }
}

QString minutesText(double seconds) {
    return seconds < 120 ? FinetuneCurveView::tr("%1 s").arg(qRound(seconds))
                         : FinetuneCurveView::tr("%1 min").arg(seconds / 60.0, 0, 'f', 1);
}

}  // namespace

FinetuneCurveView::FinetuneCurveView(QWidget* parent) : QWidget(parent) {
    m_hint = new QLabel(tr("No fine-tuning yet — run the Fine-tune step<br><small>This view then "
                           "draws the training loss of every step and the BLEU of the checks, "
                           "live.</small>"),
                        this);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setObjectName(QStringLiteral("emptyHint"));
    FigureExporter::styleHint(m_hint);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("finetuneCurve"));
    m_plot->setMinimumHeight(300);
    m_plot->setToolTip(
        tr("Loss per target token of each training step (left axis) and the greedy BLEU of the "
           "fine-tuned model at K on the demo set at each check (right axis)"));
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->plotLayout()->insertRow(0);
    auto* title = new QCPTextElement(m_plot, tr("MoE fine-tuning"),
                                     QFont(m_plot->font().family(), 12, QFont::Bold));
    title->setObjectName(QStringLiteral("title"));
    m_plot->plotLayout()->addElement(0, 0, title);
    // The legend in a row below the axes, so it never covers the curve's start.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    auto* legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(2, 0, legendRow);
    legendRow->setMargins(QMargins(5, 0, 5, 5));
    legendRow->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    m_plot->xAxis->setLabel(tr("Training step"));
    m_plot->yAxis->setLabel(tr("Loss per target token"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("BLEU at K (demo set)"));
    m_plot->yAxis2->grid()->setVisible(false);

    const struct {
        QString name;
        QColor color;
        double width;
    } series[] = {{tr("Loss (weighted total)"), QColor(30, 30, 30), 2.2},
                  {tr("KL to the dense model"), FigureExporter::color(0), 1.5},
                  {tr("Cross-entropy on the references"), FigureExporter::color(1), 1.5},
                  {tr("FFN-output MSE"), FigureExporter::color(2), 1.5}};
    for (std::size_t i = 0; i < 4; ++i) {
        m_graphs[i] = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
        m_graphs[i]->setName(series[i].name);
        m_graphs[i]->setPen(QPen(series[i].color, series[i].width));
    }
    QCPGraph* bleu = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    bleu->setName(tr("BLEU at K (checks)"));
    bleu->setPen(QPen(FigureExporter::color(3), 2.0, Qt::DashLine));
    bleu->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, FigureExporter::color(3),
                                          FigureExporter::color(3), 8));
    m_graphs[std::size_t(Series::Bleu)] = bleu;
    FigureExporter::applyTheme(m_plot);
    FigureExporter::installContextMenu(
        {QStringLiteral("finetune-curve"), tr("Fine-tuning curve"), m_plot});

    m_smooth = new QCheckBox(tr("Smooth"), this);
    m_smooth->setObjectName(QStringLiteral("smoothLoss"));
    m_smooth->setChecked(true);
    m_smooth->setToolTip(
        tr("Exponential moving average of the per-step losses (about 10 steps), as each step "
           "sees a different batch; untick to see every step as measured"));
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("curveSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_smooth);
    controls->addWidget(m_summary, 1);

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_plot, 1);
    contentLayout->addLayout(controls);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_hint);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    // A fine-tune reports every step; drawing each would keep the GUI thread busy for nothing.
    m_redraw = new QTimer(this);
    m_redraw->setSingleShot(true);
    m_redraw->setInterval(kRedrawIntervalMs);
    connect(m_redraw, &QTimer::timeout, this, &FinetuneCurveView::redraw);
    connect(m_smooth, &QCheckBox::toggled, this, [this] {
        rebuildGraphs();
        redraw();
    });
    setCurve(QString(), {});
}

QList<Figure> FinetuneCurveView::figures() const {
    if (m_points.empty()) {
        return {};
    }
    return {{QStringLiteral("finetune-curve"), tr("Fine-tuning curve"), m_plot}};
}

void FinetuneCurveView::setSmoothed(bool smoothed) {
    m_smooth->setChecked(smoothed);
}

bool FinetuneCurveView::isSmoothed() const {
    return m_smooth->isChecked();
}

int FinetuneCurveView::checkCount() const {
    return int(std::count_if(m_points.begin(), m_points.end(),
                             [](const moewb::FinetunePoint& p) { return p.bleu >= 0; }));
}

void FinetuneCurveView::setCurve(const QString& model,
                                 const std::vector<moewb::FinetunePoint>& points) {
    m_model = model;
    m_points = points;
    auto* title = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0));
    title->setText(model.isEmpty() ? tr("MoE fine-tuning") : tr("MoE fine-tuning: %1").arg(model));
    m_stack->setCurrentIndex(model.isEmpty() && points.empty() ? 0 : 1);
    rebuildGraphs();
    m_redraw->stop();
    redraw();
}

void FinetuneCurveView::addPoint(const moewb::FinetunePoint& point) {
    m_points.push_back(point);
    appendToGraphs(point);
    m_stack->setCurrentIndex(1);
    if (!m_redraw->isActive()) {
        m_redraw->start();
    }
}

void FinetuneCurveView::appendToGraphs(const moewb::FinetunePoint& point) {
    const double step = double(point.step);
    const bool smooth = m_smooth->isChecked();
    m_emaWeight = kSmoothing * m_emaWeight + (1 - kSmoothing);
    for (int i = 0; i < 4; ++i) {
        const double value = seriesValue(point, i);
        m_ema[std::size_t(i)] = kSmoothing * m_ema[std::size_t(i)] + (1 - kSmoothing) * value;
        // Debiased, so the first steps are not pulled towards 0.
        m_graphs[std::size_t(i)]->addData(step,
                                          smooth ? m_ema[std::size_t(i)] / m_emaWeight : value);
    }
    if (point.bleu >= 0) {
        graph(Series::Bleu)->addData(step, point.bleu);
    }
}

void FinetuneCurveView::rebuildGraphs() {
    for (QCPGraph* g : m_graphs) {
        g->data()->clear();
    }
    m_ema.fill(0.0);
    m_emaWeight = 0;
    for (const auto& point : m_points) {
        appendToGraphs(point);
    }
    // The MSE term only exists when it is trained; an all-zero line would only add clutter.
    const bool mse = std::any_of(m_points.begin(), m_points.end(),
                                 [](const moewb::FinetunePoint& p) { return p.mse > 0; });
    graph(Series::Mse)->setVisible(mse);
    if (mse) {
        graph(Series::Mse)->addToLegend();
    } else {
        graph(Series::Mse)->removeFromLegend();
    }
}

void FinetuneCurveView::redraw() {
    if (m_points.empty()) {
        m_plot->xAxis->setRange(0, 100);
        m_plot->yAxis->setRange(0, 5);
        m_plot->yAxis2->setRange(0, 30);
    } else {
        bool found = false;
        QCPRange steps = graph(Series::Loss)->getKeyRange(found);
        m_plot->xAxis->setRange(0, std::max(10.0, steps.upper * 1.02));
        // Losses from 0, so a drop reads as its true share; the first raw steps of a fresh
        // student can be far above the rest, so the top follows the 99th percentile.
        std::vector<double> values;
        for (int i = 0; i < 4; ++i) {
            if (m_graphs[std::size_t(i)]->visible()) {
                for (const auto& d : *m_graphs[std::size_t(i)]->data()) {
                    values.push_back(d.value);
                }
            }
        }
        std::sort(values.begin(), values.end());
        const double top = values.empty() ? 1.0 : values[std::size_t(0.99 * (values.size() - 1))];
        m_plot->yAxis->setRange(0, std::max(0.1, top * 1.1));
        double bleuTop = 10;
        for (const auto& d : *graph(Series::Bleu)->data()) {
            bleuTop = std::max(bleuTop, d.value * 1.15);
        }
        m_plot->yAxis2->setRange(0, bleuTop);
    }
    updateSummary();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT redrawn(int(m_points.size()));
}

QString FinetuneCurveView::summaryText() const {
    return m_summary->text();
}

void FinetuneCurveView::updateSummary() {
    if (m_points.empty()) {
        m_summary->setText(m_model.isEmpty() ? QString() : tr("Starting…"));
        return;
    }
    const QLocale locale;
    const auto& last = m_points.back();
    QString text = tr("Step %1 · %2 · %3 tokens/s · loss %4 (KL %5, CE %6)")
                       .arg(locale.toString(qlonglong(last.step)), minutesText(last.seconds),
                            locale.toString(qRound(last.tokensPerSecond)))
                       .arg(last.loss, 0, 'f', 3)
                       .arg(last.kd, 0, 'f', 3)
                       .arg(last.ce, 0, 'f', 3);
    const moewb::FinetunePoint* lastCheck = nullptr;
    const moewb::FinetunePoint* bestCheck = nullptr;
    for (const auto& p : m_points) {
        if (p.bleu >= 0) {
            lastCheck = &p;
            if (!bestCheck || p.bleu > bestCheck->bleu) {
                bestCheck = &p;
            }
        }
    }
    if (lastCheck) {
        text += tr(" · BLEU %1 at step %2 (best %3 at step %4)")
                    .arg(lastCheck->bleu, 0, 'f', 2)
                    .arg(locale.toString(qlonglong(lastCheck->step)))
                    .arg(bestCheck->bleu, 0, 'f', 2)
                    .arg(locale.toString(qlonglong(bestCheck->step)));
    } else {
        text += tr(" · no BLEU check yet");
    }
    m_summary->setText(text);
}

}  // namespace moewb::gui
