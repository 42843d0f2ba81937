#include "SparsityView.h"

#include "QCustomPlotHeader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace moewb::gui {

namespace {

bool isEncoder(const moewb::LayerProfile& layer) {
    return layer.name.rfind("encoder", 0) == 0;
}

QString percent(double fraction) {
    return QLocale().toString(100.0 * fraction, 'f', 1) + QStringLiteral("%");
}

// Puts a title above the axis rect and the legend in a row below it, so the legend never covers
// bars that reach 100%.
void addTitleAndBottomLegend(QCustomPlot* plot, const QString& title) {
    plot->plotLayout()->insertRow(0);
    auto* text = new QCPTextElement(plot, title, QFont(plot->font().family(), 12, QFont::Bold));
    plot->plotLayout()->addElement(0, 0, text);
    plot->legend->setVisible(true);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    auto* legendRow = new QCPLayoutGrid;
    plot->plotLayout()->addElement(2, 0, legendRow);
    legendRow->setMargins(QMargins(5, 0, 5, 5));
    legendRow->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(2, 0.001);
}

}  // namespace

SparsityView::SparsityView(QWidget* parent) : QWidget(parent) {
    m_hint =
        new QLabel(tr("No profile yet — run the Profile step<br><small>Then this view shows the "
                      "share of zero activations in each feed-forward layer.</small>"),
                   this);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setObjectName(QStringLiteral("emptyHint"));
    m_hint->setToolTip(tr("The profile counts which FFN neurons fire on training tokens"));
    FigureExporter::styleHint(m_hint);

    m_layersPlot = new QCustomPlot(this);
    m_layersPlot->setObjectName(QStringLiteral("sparsityLayers"));
    m_layersPlot->setMinimumHeight(260);
    m_layersPlot->setToolTip(
        tr("Share of zero activations (ReLU output 0) in each feed-forward layer; the grey top "
           "is the dense share that a dense FFN computes for nothing but these neurons"));
    m_frequencyPlot = new QCustomPlot(this);
    m_frequencyPlot->setObjectName(QStringLiteral("activationFrequency"));
    m_frequencyPlot->setMinimumHeight(240);
    m_frequencyPlot->setToolTip(
        tr("How many neurons fire on a given share of the profiled tokens"));

    m_layerBox = new QComboBox(this);
    m_layerBox->setObjectName(QStringLiteral("layerPicker"));
    m_layerBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_layerBox->setToolTip(tr("The feed-forward layer whose neuron frequencies are shown"));
    m_logCounts = new QCheckBox(tr("Log count"), this);
    m_logCounts->setObjectName(QStringLiteral("logCounts"));
    m_logCounts->setToolTip(
        tr("Logarithmic neuron count, so that rare frequencies stay visible next to the peak"));
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("layerSummary"));
    m_summary->setToolTip(tr("Facts about the chosen layer's neurons"));
    m_summary->setWordWrap(true);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Layer:"), this));
    controls->addWidget(m_layerBox);
    controls->addWidget(m_logCounts);
    controls->addWidget(m_summary, 1);

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_layersPlot, 1);
    contentLayout->addLayout(controls);
    contentLayout->addWidget(m_frequencyPlot, 1);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_hint);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    for (QCustomPlot* plot : {m_layersPlot, m_frequencyPlot}) {
        plot->setNoAntialiasingOnDrag(true);
    }
    addTitleAndBottomLegend(m_layersPlot, tr("Sparsity of the feed-forward layers"));
    m_layersPlot->yAxis->setLabel(tr("Share of activations (%)"));
    m_layersPlot->xAxis->setLabel(tr("Layer"));
    m_layersPlot->xAxis->grid()->setVisible(false);
    addTitleAndBottomLegend(m_frequencyPlot, tr("Neuron activation frequency"));
    m_frequencyPlot->legend->setVisible(false);
    m_frequencyPlot->xAxis->setLabel(tr("Tokens on which the neuron fires (%)"));
    m_frequencyPlot->yAxis->setLabel(tr("Neurons"));
    FigureExporter::applyTheme(m_layersPlot);
    FigureExporter::applyTheme(m_frequencyPlot);
    // figures() is empty until a profile arrives; the menus belong to the plots regardless.
    FigureExporter::installContextMenu(
        {QStringLiteral("sparsity-layers"), tr("Sparsity per layer"), m_layersPlot});
    FigureExporter::installContextMenu({QStringLiteral("activation-frequency"),
                                        tr("Neuron activation frequency"), m_frequencyPlot});

    connect(m_layerBox, &QComboBox::currentIndexChanged, this, [this] { rebuildHistogram(); });
    connect(m_logCounts, &QCheckBox::toggled, this, [this] {
        applyCountScale();
        m_frequencyPlot->replot();
    });
    setProfile(nullptr);
}

QList<Figure> SparsityView::figures() const {
    if (!m_profile || m_profile->layers.empty()) {
        return {};
    }
    return {{QStringLiteral("sparsity-layers"), tr("Sparsity per layer"), m_layersPlot},
            {QStringLiteral("activation-frequency"), tr("Neuron activation frequency"),
             m_frequencyPlot}};
}

void SparsityView::setProfile(ProfileHandle profile) {
    const QString previous = m_layerBox->currentText();
    m_profile = std::move(profile);
    const bool empty = !m_profile || m_profile->layers.empty();
    m_stack->setCurrentIndex(empty ? 0 : 1);
    {
        const QSignalBlocker blocker(m_layerBox);
        m_layerBox->clear();
        if (!empty) {
            for (const auto& layer : m_profile->layers) {
                m_layerBox->addItem(QString::fromStdString(layer.name));
            }
            m_layerBox->setCurrentIndex(std::max(0, m_layerBox->findText(previous)));
        }
    }
    rebuildLayers();
    rebuildHistogram();
}

void SparsityView::rebuildLayers() {
    QCustomPlot* plot = m_layersPlot;
    plot->clearPlottables();
    plot->clearItems();
    if (!m_profile || m_profile->layers.empty()) {
        plot->replot();
        return;
    }
    // Encoder bars, a gap, then decoder bars; the bar colour says which stack a layer is in.
    QVector<double> encoderKeys, encoderZero, encoderDense, decoderKeys, decoderZero, decoderDense;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QList<QPair<double, double>> labels;  // key, zero fraction
    double key = 1.0;
    bool seenDecoder = false;
    for (const auto& layer : m_profile->layers) {
        const bool encoder = isEncoder(layer);
        if (!encoder && !seenDecoder) {
            seenDecoder = true;
            if (key > 1.0) {
                key += 0.5;
            }
        }
        const double zero = layer.sparsity();
        (encoder ? encoderKeys : decoderKeys) << key;
        (encoder ? encoderZero : decoderZero) << 100.0 * zero;
        (encoder ? encoderDense : decoderDense) << 100.0 * (1.0 - zero);
        ticker->addTick(key, QString::fromStdString(layer.name));

        labels.append({key, zero});
        key += 1.0;
    }

    // Zero bars first, then the dense share stacked on each: the legend lists them in that order.
    auto addZero = [&](const QVector<double>& keys, const QVector<double>& zero,
                       const QColor& color, const QString& name) -> QCPBars* {
        if (keys.isEmpty()) {
            return nullptr;
        }
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(name);
        bars->setData(keys, zero, true);
        bars->setWidth(0.7);
        bars->setPen(Qt::NoPen);
        bars->setBrush(color);
        return bars;
    };
    QCPBars* encoderBars = addZero(encoderKeys, encoderZero, FigureExporter::color(0),
                                   tr("Encoder: zero activations"));
    QCPBars* decoderBars = addZero(decoderKeys, decoderZero, FigureExporter::color(3),
                                   tr("Decoder: zero activations"));
    bool denseInLegend = true;
    for (auto [below, keys, dense] : {std::make_tuple(encoderBars, &encoderKeys, &encoderDense),
                                      std::make_tuple(decoderBars, &decoderKeys, &decoderDense)}) {
        if (!below) {
            continue;
        }
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(tr("Dense share (non-zero)"));
        bars->setData(*keys, *dense, true);
        bars->setWidth(0.7);
        bars->setPen(Qt::NoPen);
        bars->setBrush(QColor(205, 205, 205));
        bars->moveAbove(below);
        if (!denseInLegend) {
            bars->removeFromLegend();
        }
        denseInLegend = false;
    }

    // Value labels after the bars, so they are drawn over them.
    QFont bold = plot->font();
    bold.setPointSize(10);
    bold.setBold(true);
    for (const auto& [at, zero] : labels) {
        auto* zeroLabel = new QCPItemText(plot);
        zeroLabel->position->setCoords(at, 100.0 * zero / 2.0);
        zeroLabel->setText(percent(zero));
        zeroLabel->setColor(Qt::white);
        zeroLabel->setFont(bold);
        auto* denseLabel = new QCPItemText(plot);
        denseLabel->position->setCoords(at, 100.0);
        denseLabel->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        denseLabel->setText(tr("dense %1").arg(percent(1.0 - zero)));
        denseLabel->setColor(QColor(60, 60, 60));
        denseLabel->setPadding(QMargins(0, 0, 0, 3));
    }

    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(0.4, key - 0.4);
    plot->yAxis->setRange(0.0, 109.0);
    plot->replot();
}

void SparsityView::rebuildHistogram() {
    QCustomPlot* plot = m_frequencyPlot;
    plot->clearPlottables();
    plot->clearItems();
    m_counts.clear();
    const int index = m_layerBox->currentIndex();
    if (!m_profile || index < 0 || index >= int(m_profile->layers.size())) {
        m_summary->clear();
        plot->replot();
        return;
    }
    const auto& layer = m_profile->layers[std::size_t(index)];
    const std::vector<double> frequencies = layer.frequencies();
    m_counts = QVector<double>(kHistogramBins, 0.0);
    int silent = 0;
    double sum = 0.0;
    for (double f : frequencies) {
        const int bin = std::clamp(int(f * kHistogramBins), 0, kHistogramBins - 1);
        m_counts[bin] += 1.0;
        silent += f == 0.0 ? 1 : 0;
        sum += f;
    }
    const double width = 100.0 / kHistogramBins;
    QVector<double> keys;
    for (int b = 0; b < kHistogramBins; ++b) {
        keys << (b + 0.5) * width;
    }
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(QString::fromStdString(layer.name));
    bars->setData(keys, m_counts, true);
    bars->setWidth(width * 0.92);
    bars->setPen(Qt::NoPen);
    bars->setBrush(FigureExporter::color(isEncoder(layer) ? 0 : 3));

    // The mean frequency is the layer's dense share: a dashed marker ties the two plots together.
    const double mean = frequencies.empty() ? 0.0 : sum / double(frequencies.size());
    auto* meanLine = new QCPItemStraightLine(plot);
    // Vertical in axis-rect ratio, so it works on the log count axis too.
    for (QCPItemPosition* point : {meanLine->point1, meanLine->point2}) {
        point->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    meanLine->point1->setCoords(100.0 * mean, 0.0);
    meanLine->point2->setCoords(100.0 * mean, 1.0);
    meanLine->setPen(QPen(QColor(60, 60, 60), 1.5, Qt::DashLine));
    auto* meanLabel = new QCPItemText(plot);
    meanLabel->position->setType(QCPItemPosition::ptAxisRectRatio);
    meanLabel->position->setAxes(plot->xAxis, plot->yAxis);
    meanLabel->position->setTypeX(QCPItemPosition::ptPlotCoords);
    meanLabel->position->setCoords(100.0 * mean, 0.02);
    meanLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    meanLabel->setPadding(QMargins(5, 0, 0, 0));
    meanLabel->setText(tr("mean %1").arg(percent(mean)));
    meanLabel->setColor(QColor(60, 60, 60));

    if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) {
        title->setText(tr("Neuron activation frequency — %1").arg(m_layerBox->currentText()));
    }
    const QLocale locale;
    m_summary->setText(tr("%1 neurons over %2 tokens; %3 never fire; mean frequency %4")
                           .arg(locale.toString(layer.dFf),
                                locale.toString(qlonglong(layer.tokens)), locale.toString(silent),
                                percent(mean)));
    plot->xAxis->setRange(0.0, 100.0);
    applyCountScale();
    plot->replot();
}

void SparsityView::applyCountScale() {
    QCPAxis* axis = m_frequencyPlot->yAxis;
    const double peak =
        m_counts.isEmpty() ? 1.0 : *std::max_element(m_counts.begin(), m_counts.end());
    if (m_logCounts->isChecked()) {
        axis->setScaleType(QCPAxis::stLogarithmic);
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        axis->setNumberFormat(QStringLiteral("g"));
        axis->setRange(0.7, std::max(10.0, peak * 2.0));
    } else {
        axis->setScaleType(QCPAxis::stLinear);
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setRange(0.0, std::max(1.0, peak * 1.08));
    }
}

}  // namespace moewb::gui
