#include "ExpertGraphView.h"

#include "QCustomPlotHeader.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QSlider>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>

#include "ViewPickers.h"

#include "moewb/util/Feedback.h"

namespace moewb::gui {

namespace {

// Node diameters in pixels: the smallest node stays clickable, the largest does not swamp 16.
constexpr double kMinDiameter = 16.0;
constexpr double kMaxDiameter = 50.0;

}  // namespace

ExpertGraphView::ExpertGraphView(QWidget* parent) : QWidget(parent) {
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("emptyHint"));
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setToolTip(tr("The expert graph needs a profile and a partition of the model"));
    FigureExporter::styleHint(m_hint);

    m_layerBox = new QComboBox(this);
    m_layerBox->setObjectName(QStringLiteral("layerPicker"));
    m_layerBox->setToolTip(tr("The feed-forward layer whose experts are shown"));
    m_layerBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_partitionBox = new QComboBox(this);
    m_partitionBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_partitionBox->setObjectName(QStringLiteral("partitionPicker"));
    m_partitionBox->setToolTip(tr("The partition whose experts are the nodes"));
    m_sizeBox = new QComboBox(this);
    m_sizeBox->setObjectName(QStringLiteral("nodeSize"));
    m_sizeBox->addItem(tr("Neurons"), int(NodeSize::Neurons));
    m_sizeBox->addItem(tr("Activation mass"), int(NodeSize::ActivationMass));
    m_sizeBox->setToolTip(
        tr("Node area by the expert's neuron count, or by its activation mass "
           "(how often its neurons fire in total)"));
    m_threshold = new QSlider(Qt::Horizontal, this);
    m_threshold->setObjectName(QStringLiteral("edgeThreshold"));
    m_threshold->setRange(0, 100);
    m_threshold->setValue(40);
    m_threshold->setMinimumWidth(120);
    m_threshold->setToolTip(tr("Hide edges weaker than this share of the strongest edge"));
    m_thresholdLabel = new QLabel(this);
    m_thresholdLabel->setToolTip(m_threshold->toolTip());
    m_thresholdLabel->setMinimumWidth(
        m_thresholdLabel->fontMetrics().horizontalAdvance(tr("Edges ≥ %1%").arg(100)));
    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("graphInfo"));
    m_info->setWordWrap(true);
    m_info->setToolTip(
        tr("Edge weight: co-activation between the neurons of two experts, "
           "relative to the most co-activated pair of experts"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Layer:"), this));
    controls->addWidget(m_layerBox);
    controls->addWidget(new QLabel(tr("Partition:"), this));
    controls->addWidget(m_partitionBox);
    controls->addWidget(new QLabel(tr("Node size:"), this));
    controls->addWidget(m_sizeBox);
    controls->addWidget(m_thresholdLabel);
    controls->addWidget(m_threshold, 1);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("expertGraph"));
    m_plot->setToolTip(
        tr("Experts and how their neurons fire together; click an expert to show "
           "its block in the heatmap, right-click to export"));
    m_plot->xAxis->setVisible(false);
    m_plot->yAxis->setVisible(false);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(
        0, 0, new QCPTextElement(m_plot, QString(), QFont(font().family(), 12, QFont::Bold)));
    m_plot->axisRect()->setAutoMargins(QCP::msNone);
    m_plot->axisRect()->setMargins(QMargins(8, 8, 8, 8));
    // Edges under the nodes, labels over them.
    m_plot->addLayer(QStringLiteral("edges"), m_plot->layer(QStringLiteral("main")),
                     QCustomPlot::limBelow);
    m_plot->addLayer(QStringLiteral("labels"), m_plot->layer(QStringLiteral("main")),
                     QCustomPlot::limAbove);
    FigureExporter::applyTheme(m_plot);
    m_plot->installEventFilter(this);
    FigureExporter::installContextMenu(
        {QStringLiteral("expert-graph"), tr("Expert graph"), m_plot});

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(controls);
    contentLayout->addWidget(m_info);
    contentLayout->addWidget(m_plot, 1);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_hint);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    connect(m_layerBox, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(m_partitionBox, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(m_sizeBox, &QComboBox::currentIndexChanged, this, [this] {
        styleNodes();
        m_plot->replot();
    });
    connect(m_threshold, &QSlider::valueChanged, this, [this] {
        applyThreshold();
        m_plot->replot();
    });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (event->button() != Qt::LeftButton) {
            return;
        }
        const int expert = expertAt(event->position());
        if (expert >= 0) {
            selectExpert(expert);
            Q_EMIT expertClicked(currentPartition(), m_shownLayer, expert);
        }
    });
    applyThreshold();
    rebuild();
}

void ExpertGraphView::setProfile(ProfileHandle profile) {
    m_profile = std::move(profile);
    fillLayerPicker(m_layerBox, m_profile.get());
    rebuild();
}

void ExpertGraphView::setPartitions(const QList<PartitionEntry>& partitions) {
    m_partitions = partitions;
    fillPartitionPicker(m_partitionBox, m_partitions);
    rebuild();
}

QList<Figure> ExpertGraphView::figures() const {
    if (m_numExperts == 0) {
        return {};
    }
    return {{QStringLiteral("expert-graph"), tr("Expert graph"), m_plot}};
}

int ExpertGraphView::currentLayer() const {
    return m_shownLayer >= 0 || m_preparation.isRunning() ? m_layerBox->currentIndex() : -1;
}

void ExpertGraphView::setCurrentLayer(int layer) {
    chooseIndex(m_layerBox, layer);
}

QString ExpertGraphView::currentPartition() const {
    return m_partitionBox->currentData().toString();
}

void ExpertGraphView::setCurrentPartition(const QString& name) {
    chooseData(m_partitionBox, name);
}

ExpertGraphView::NodeSize ExpertGraphView::nodeSize() const {
    return NodeSize(m_sizeBox->currentData().toInt());
}

void ExpertGraphView::setNodeSize(NodeSize size) {
    m_sizeBox->setCurrentIndex(m_sizeBox->findData(int(size)));
}

double ExpertGraphView::edgeThreshold() const {
    return m_threshold->value() / 100.0;
}

void ExpertGraphView::setEdgeThreshold(double fraction) {
    m_threshold->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 100.0)));
}

double ExpertGraphView::edgeWeight(int e, int f) const {
    if (e < 0 || f < 0 || e >= m_numExperts || f >= m_numExperts) {
        return 0.0;
    }
    return m_weights[std::size_t(e) * m_numExperts + f];
}

int ExpertGraphView::visibleEdgeCount() const {
    return int(std::count_if(m_edges.begin(), m_edges.end(),
                             [](const Edge& edge) { return edge.line->visible(); }));
}

double ExpertGraphView::activationMass(int expert) const {
    return expert >= 0 && expert < m_numExperts ? m_mass[std::size_t(expert)] : 0.0;
}

const moewb::ExpertPartition* ExpertGraphView::partitionForLayer(int layer,
                                                                 const moewb::PartitionSet* set,
                                                                 QString* problem) const {
    if (!m_profile || layer < 0 || layer >= int(m_profile->layers.size()) || !set) {
        return nullptr;
    }
    const auto& profileLayer = m_profile->layers[std::size_t(layer)];
    const moewb::ExpertPartition* partition = partitionLayerOf(*set, profileLayer, layer);
    if (!partition) {
        *problem = tr("Partition “%1” does not fit layer %2 (d_ff %3) of this profile. Re-run "
                      "the Partition step for this model.")
                       .arg(currentPartition(), QString::fromStdString(profileLayer.name))
                       .arg(profileLayer.dFf);
        return nullptr;
    }
    return partition;
}

void ExpertGraphView::clearGraph() {
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_nodes.clear();
    m_labels.clear();
    m_caption = nullptr;
    m_edges.clear();
    m_positions.clear();
    m_numExperts = 0;
    m_shownLayer = -1;
    m_selected = -1;
}

void ExpertGraphView::rebuild() {
    m_preparation.cancel();  // the newest choice wins
    QString problem;
    const int layerIndex = m_layerBox->currentIndex();
    const std::shared_ptr<const moewb::PartitionSet> set =
        chosenPartitionSet(m_partitionBox, m_partitions);
    const moewb::ExpertPartition* partition = partitionForLayer(layerIndex, set.get(), &problem);
    if (!partition) {
        clearGraph();
        const QString then =
            tr("<br><small>Then this view shows the experts of each layer and "
               "how often their neurons fire together.</small>");
        if (!m_profile || m_profile->layers.empty()) {
            m_hint->setText(tr("No profile yet — run the Profile step") + then);
        } else if (m_partitionBox->count() == 0) {
            m_hint->setText(tr("No partition yet — run the Partition step") + then);
        }
        // Keep the pickers reachable when only the chosen partition does not fit.
        m_stack->setCurrentIndex(problem.isEmpty() ? 0 : 1);
        m_info->setText(problem);
        m_plot->replot();
        return;
    }
    m_stack->setCurrentIndex(1);
    const ProfileHandle profile = m_profile;
    // A pointer, not a reference: the lambda below must not copy a million counts.
    const moewb::LayerProfile* profileLayer = &profile->layers[std::size_t(layerIndex)];
    if (!m_preparation.runner()) {
        moewb::Feedback feedback;
        showGraph(prepareExpertGraphLayer(*profileLayer, layerIndex, *partition, feedback));
        return;
    }
    // The graph shown so far stays until the new one arrives.
    m_info->setText(
        tr("%1: preparing the expert graph…").arg(QString::fromStdString(profileLayer->name)));
    auto prepared = std::make_shared<ExpertGraphLayer>();
    m_preparation.start(
        tr("Preparing the expert graph"),
        // `profile` and `set` ride along so that profileLayer and partition outlive the job.
        [prepared, profileLayer, layerIndex, partition, profile, set](moewb::Feedback& feedback) {
            *prepared = prepareExpertGraphLayer(*profileLayer, layerIndex, *partition, feedback);
        },
        [this, prepared](JobRunner::Outcome outcome, const QString& message) {
            if (outcome == JobRunner::Outcome::Succeeded) {
                showGraph(std::move(*prepared));
            } else if (outcome == JobRunner::Outcome::Failed) {
                m_info->setText(message);
            } else {
                m_info->setText(tr("Preparing the expert graph was cancelled."));
            }
        });
}

void ExpertGraphView::showGraph(ExpertGraphLayer graph) {
    clearGraph();
    const auto& layer = m_profile->layers[std::size_t(graph.layer)];
    m_shownLayer = graph.layer;
    m_numExperts = graph.numExperts;
    m_neurons = std::move(graph.neurons);
    m_mass = std::move(graph.mass);
    m_weights = std::move(graph.weights);
    m_positions = std::move(graph.positions);
    fitRanges();
    draw();

    QString info = tr("%1 experts of %2 neurons in %3; edge weight = co-activation between two "
                      "experts' neurons, relative to the strongest pair")
                       .arg(m_numExperts)
                       .arg(graph.expertSize)
                       .arg(QString::fromStdString(layer.name));
    if (graph.sharedNeurons > 0) {
        info += tr("; %n shared neuron(s) not drawn", nullptr, graph.sharedNeurons);
    }
    if (!graph.layoutProblem.isEmpty()) {
        info += QStringLiteral("\n") + graph.layoutProblem;
    }
    m_info->setText(info);
    if (auto* title = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0))) {
        title->setText(
            tr("Experts of “%1” — %2").arg(currentPartition(), QString::fromStdString(layer.name)));
    }
    m_plot->replot();
    Q_EMIT graphShown();
}

void ExpertGraphView::fitRanges() {
    double left = 0, right = 0, bottom = 0, top = 0;
    for (std::size_t e = 0; e < m_positions.size(); ++e) {
        const QPointF& p = m_positions[e];
        left = e == 0 ? p.x() : std::min(left, p.x());
        right = e == 0 ? p.x() : std::max(right, p.x());
        bottom = e == 0 ? p.y() : std::min(bottom, p.y());
        top = e == 0 ? p.y() : std::max(top, p.y());
    }
    // Room for the largest node and its label at the edges.
    const double padX = std::max(40.0, 0.14 * (right - left));
    const double padY = std::max(40.0, 0.16 * (top - bottom));
    m_plot->xAxis->setRange(left - padX, right + padX);
    m_plot->yAxis->setRange(bottom - padY, top + padY);
}

void ExpertGraphView::draw() {
    const int n = m_numExperts;
    for (int e = 0; e < n; ++e) {
        for (int f = e + 1; f < n; ++f) {
            const double w = edgeWeight(e, f);
            if (w <= 0.0) {
                continue;
            }
            auto* line = new QCPItemLine(m_plot);
            line->setLayer(QStringLiteral("edges"));
            line->start->setCoords(m_positions[e]);
            line->end->setCoords(m_positions[f]);
            // Weak edges pale, strong ones dark: the colour is blended with the white background
            // here rather than drawn translucent, and the ends are flat (they lie under the
            // nodes). Antialiased translucent round-capped strokes made a replot 70–100 ms;
            // these take about 10 (bench/gui/view_switch_bench).
            const double opacity = 0.15 + 0.75 * w;
            const QColor color = QColor::fromRgbF(1.0 - opacity * (1.0 - 55 / 255.0),
                                                  1.0 - opacity * (1.0 - 65 / 255.0),
                                                  1.0 - opacity * (1.0 - 80 / 255.0));
            line->setPen(QPen(color, 0.5 + 5.5 * w, Qt::SolidLine, Qt::FlatCap));
            line->setSelectable(false);
            m_edges.push_back({e, f, w, line});
        }
    }
    QFont labelFont = m_plot->font();
    labelFont.setPointSize(9);
    labelFont.setBold(true);
    for (int e = 0; e < n; ++e) {
        auto* node = m_plot->addGraph();
        node->setLineStyle(QCPGraph::lsNone);
        node->setData({m_positions[e].x()}, {m_positions[e].y()});
        node->setName(tr("E%1").arg(e));
        m_nodes.push_back(node);
        auto* label = new QCPItemText(m_plot);
        label->setLayer(QStringLiteral("labels"));
        label->position->setCoords(m_positions[e]);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(tr("E%1").arg(e));
        label->setFont(labelFont);
        label->setColor(QColor(30, 30, 30));
        m_labels.push_back(label);
    }
    // The legend of the encoding travels with the exported figure.
    m_caption = new QCPItemText(m_plot);
    m_caption->setLayer(QStringLiteral("labels"));
    m_caption->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_caption->position->setCoords(0.0, 1.0);
    m_caption->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    m_caption->setTextAlignment(Qt::AlignLeft);
    m_caption->setColor(QColor(80, 80, 80));
    QFont captionFont = m_plot->font();
    captionFont.setPointSize(8);
    m_caption->setFont(captionFont);
    styleNodes();
    applyThreshold();
}

void ExpertGraphView::updateCaption() {
    if (!m_caption) {
        return;
    }
    const QString size = nodeSize() == NodeSize::Neurons ? tr("Node area: neurons of the expert")
                                                         : tr("Node area: activation mass");
    m_caption->setText(tr("%1\nEdge width: co-activation between experts (%2 of %3 edges ≥ %4% "
                          "of the strongest shown)")
                           .arg(size)
                           .arg(visibleEdgeCount())
                           .arg(m_edges.size())
                           .arg(m_threshold->value()));
}

double ExpertGraphView::nodeDiameter(int expert) const {
    double value = 0.0, largest = 0.0;
    for (int e = 0; e < m_numExperts; ++e) {
        const double v =
            nodeSize() == NodeSize::Neurons ? m_neurons[std::size_t(e)] : m_mass[std::size_t(e)];
        largest = std::max(largest, v);
        value = e == expert ? v : value;
    }
    // Area proportional to the value.
    const double share = largest > 0.0 ? std::sqrt(value / largest) : 1.0;
    return kMinDiameter + (kMaxDiameter - kMinDiameter) * share;
}

void ExpertGraphView::styleNodes() {
    for (int e = 0; e < int(m_nodes.size()); ++e) {
        const bool selected = e == m_selected;
        const double diameter = nodeDiameter(e);
        const QPen pen(selected ? QColor(20, 20, 20) : QColor(255, 255, 255), selected ? 3.5 : 1.5);
        m_nodes[e]->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, pen, FigureExporter::color(e), diameter));
        m_labels[e]->setPadding(QMargins(3, 0, 3, int(diameter / 2.0) + 2));
        QFont font = m_labels[e]->font();
        font.setUnderline(selected);
        m_labels[e]->setFont(font);
    }
    updateCaption();
}

void ExpertGraphView::applyThreshold() {
    const double threshold = edgeThreshold();
    for (Edge& edge : m_edges) {
        edge.line->setVisible(edge.weight >= threshold && edge.weight > 0.0);
    }
    m_thresholdLabel->setText(tr("Edges ≥ %1%").arg(m_threshold->value()));
    updateCaption();
}

void ExpertGraphView::selectExpert(int expert) {
    m_selected = expert >= 0 && expert < m_numExperts ? expert : -1;
    styleNodes();
    m_plot->replot();
}

QPointF ExpertGraphView::nodePixelPosition(int expert) const {
    if (expert < 0 || expert >= int(m_positions.size())) {
        return {};
    }
    return {m_plot->xAxis->coordToPixel(m_positions[expert].x()),
            m_plot->yAxis->coordToPixel(m_positions[expert].y())};
}

int ExpertGraphView::expertAt(const QPointF& pixel) const {
    // The nearest node whose disc (plus a little slack) contains the pixel; later nodes are drawn
    // on top, so ties go to them.
    int found = -1;
    double best = 0.0;
    for (int e = 0; e < m_numExperts; ++e) {
        const QPointF d = nodePixelPosition(e) - pixel;
        const double distance = std::hypot(d.x(), d.y());
        if (distance <= nodeDiameter(e) / 2.0 + 3.0 && (found < 0 || distance <= best)) {
            found = e;
            best = distance;
        }
    }
    return found;
}

QString ExpertGraphView::expertToolTip(int expert) const {
    if (expert < 0 || expert >= m_numExperts) {
        return {};
    }
    double total = 0.0;
    for (double mass : m_mass) {
        total += mass;
    }
    int partner = -1;
    for (int f = 0; f < m_numExperts; ++f) {
        if (f != expert && (partner < 0 || edgeWeight(expert, f) > edgeWeight(expert, partner))) {
            partner = f;
        }
    }
    const QLocale locale;
    QString text =
        tr("Expert E%1: %2 neurons\nActivation mass %3 (%4% of the layer)")
            .arg(expert)
            .arg(m_neurons[std::size_t(expert)])
            .arg(locale.toString(m_mass[std::size_t(expert)], 'f', 0),
                 locale.toString(total > 0 ? 100.0 * m_mass[expert] / total : 0.0, 'f', 1));
    if (partner >= 0) {
        text += tr("\nStrongest link: E%1 (%2)")
                    .arg(partner)
                    .arg(locale.toString(edgeWeight(expert, partner), 'f', 2));
    }
    return text + tr("\nClick to show its block in the heatmap");
}

bool ExpertGraphView::eventFilter(QObject* watched, QEvent* event) {
    if (watched != m_plot || event->type() != QEvent::ToolTip) {
        return QWidget::eventFilter(watched, event);
    }
    auto* help = static_cast<QHelpEvent*>(event);
    const QString text = expertToolTip(expertAt(help->pos()));
    QToolTip::showText(help->globalPos(), text.isEmpty() ? m_plot->toolTip() : text, m_plot);
    return true;
}

}  // namespace moewb::gui
