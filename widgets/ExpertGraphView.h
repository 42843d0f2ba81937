#pragma once
// The expert graph (docs/architecture.md, "The views"): the experts of one FFN layer as nodes
// (colour per expert, size by neuron count or activation mass) and edges weighted by how often
// neurons of two experts fire together, W_ef = Σ_{i∈e, j∈f} C_ij, normalised to the strongest pair.
// Graphviz (neato, edge length shrinking with weight) places strongly linked experts close
// together. A threshold hides weak edges without moving the nodes; clicking a node selects it and
// emits expertClicked. With a JobRunner the weights and the layout of a layer are prepared on a
// worker (ExpertGraphLayer.h), and the graph shown so far stays, marked "preparing…", until the
// newest one arrives.

#include "WorkbenchData.h"

#include "ExpertGraphLayer.h"
#include "FigureExporter.h"
#include "NewestJob.h"

#include <QPointF>
#include <QWidget>

#include <vector>

class QCPGraph;
class QCPItemLine;
class QCPItemText;
class QComboBox;
class QCustomPlot;
class QLabel;
class QSlider;
class QStackedWidget;

namespace moewb::gui {

class ExpertGraphView : public QWidget, public FigureSource {
    Q_OBJECT

public:
    enum class NodeSize { Neurons, ActivationMass };

    explicit ExpertGraphView(QWidget* parent = nullptr);

    // Null shows the "run the Profile step" hint. Keeps the chosen layer when it still exists.
    void setProfile(ProfileHandle profile);
    // The partitions whose experts can be shown; keeps the choice when it still exists.
    void setPartitions(const QList<PartitionEntry>& partitions);

    // Layers are then prepared on the runner's workers; without one, on the calling thread. The
    // runner must outlive the view.
    void setJobRunner(JobRunner* jobs) { m_preparation.setRunner(jobs); }
    // True while a layer is being prepared on a worker.
    bool isPreparing() const { return m_preparation.isRunning(); }

    // "expert-graph" once a graph is shown; none before.
    QList<Figure> figures() const override;

    // The chosen layer (an index into the profile's layers), -1 when nothing is shown.
    int currentLayer() const;
    void setCurrentLayer(int layer);
    QString currentPartition() const;  // empty when nothing is shown
    void setCurrentPartition(const QString& name);
    NodeSize nodeSize() const;
    void setNodeSize(NodeSize size);
    // Edges weaker than this fraction of the strongest are hidden (0…1, default 0.4).
    double edgeThreshold() const;
    void setEdgeThreshold(double fraction);

    int expertCount() const { return m_numExperts; }
    // Normalised co-activation between experts e ≠ f (the strongest pair is 1).
    double edgeWeight(int e, int f) const;
    int visibleEdgeCount() const;
    // Σ activation counts of the expert's neurons.
    double activationMass(int expert) const;
    // Node centre in pixels of plot() as last drawn, and the expert under a pixel (-1 for none).
    QPointF nodePixelPosition(int expert) const;
    int expertAt(const QPointF& pixel) const;
    // What hovering an expert's node shows.
    QString expertToolTip(int expert) const;
    int selectedExpert() const { return m_selected; }

    QCustomPlot* plot() const { return m_plot; }

public Q_SLOTS:
    // Outlines the expert's node (-1 clears); does not emit expertClicked.
    void selectExpert(int expert);

Q_SIGNALS:
    // The user clicked an expert's node; `layer` indexes the profile's layers.
    void expertClicked(const QString& partition, int layer, int expert);
    // A prepared layer is now on the plot.
    void graphShown();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Edge {
        int from = 0;
        int to = 0;
        double weight = 0.0;
        QCPItemLine* line = nullptr;
    };

    void rebuild();
    void clearGraph();
    void showGraph(ExpertGraphLayer graph);
    void fitRanges();
    void draw();
    void applyThreshold();
    void styleNodes();
    void updateCaption();
    double nodeDiameter(int expert) const;
    // The layer of `set` that splits profile layer `layer`; null (with *problem set when the
    // partition does not fit) otherwise.
    const moewb::ExpertPartition* partitionForLayer(int layer, const moewb::PartitionSet* set,
                                                    QString* problem) const;

    ProfileHandle m_profile;
    QList<PartitionEntry> m_partitions;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_hint = nullptr;
    QComboBox* m_layerBox = nullptr;
    QComboBox* m_partitionBox = nullptr;
    QComboBox* m_sizeBox = nullptr;
    QSlider* m_threshold = nullptr;
    QLabel* m_thresholdLabel = nullptr;
    QLabel* m_info = nullptr;
    QCustomPlot* m_plot = nullptr;

    int m_numExperts = 0;
    std::vector<int> m_neurons;        // neurons per expert
    std::vector<double> m_mass;        // activation mass per expert
    std::vector<double> m_weights;     // [N × N] normalised, diagonal 0
    std::vector<QPointF> m_positions;  // layout coordinates (points)
    std::vector<QCPGraph*> m_nodes;
    std::vector<QCPItemText*> m_labels;
    std::vector<Edge> m_edges;
    QCPItemText* m_caption = nullptr;  // what size and width mean, inside the figure
    int m_shownLayer = -1;             // the layer on the plot, not one still preparing
    int m_selected = -1;
    NewestJob m_preparation{this};  // the layer being prepared on a worker, if any
};

}  // namespace moewb::gui
