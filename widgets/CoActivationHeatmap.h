#pragma once
// The co-activation heatmap (docs/algorithms.md, "Profiling"): C = aᵀa of one FFN layer as a colour
// map on a log scale, with the neurons reordered expert by expert (ExpertPartition::permutation())
// so a good partition shows as bright blocks on the diagonal. Expert boundaries are drawn, hovering
// a cell names both neurons, their experts and the count, and a toggle shows the original order
// beside the reordered one. The cells hold log10(count) (NaN for 0), built once per layer or
// partition change (HeatmapLayer.h) on a JobRunner worker when the view has one; zooming and
// panning only redraw the cached image, so 1024 × 1024 stays responsive.

#include "WorkbenchData.h"

#include "FigureExporter.h"
#include "HeatmapLayer.h"
#include "NewestJob.h"

#include <QWidget>

#include <vector>

class QCPAbstractItem;
class QCPAxisRect;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QCPItemText;
class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QStackedWidget;

namespace moewb::gui {

class CoActivationHeatmap : public QWidget, public FigureSource {
    Q_OBJECT

public:
    explicit CoActivationHeatmap(QWidget* parent = nullptr);

    // Null shows the "run the Profile step" hint. Keeps the chosen layer when it still exists.
    void setProfile(ProfileHandle profile);
    // The partitions offered for reordering (besides "none"); keeps the choice when it still
    // exists.
    void setPartitions(const QList<PartitionEntry>& partitions);

    // Layer maps are then computed on the runner's workers, with "preparing…" shown meanwhile;
    // without one (the default) on the calling thread.
    void setJobRunner(JobRunner* jobs) { m_preparation.setRunner(jobs); }
    // True while the chosen layer's maps are computed on a worker.
    bool isPreparing() const { return m_preparation.isRunning(); }

    // "coactivation" (the reordered map) and "coactivation-side-by-side" (original order beside
    // it) once a profile is shown; none before.
    QList<Figure> figures() const override;

    // The FFN layer shown (index into the profile's layers), -1 without a profile.
    int currentLayer() const;
    void setCurrentLayer(int layer);
    // The partition used for the order, or an empty string for the original order.
    QString currentPartition() const;
    void setCurrentPartition(const QString& name);
    bool isSideBySide() const;
    void setSideBySide(bool on);

    // Display position → neuron id of the reordered map (identity without a partition).
    const std::vector<int>& displayOrder() const { return m_order; }
    // Expert of the neuron at a display position: -1 for shared neurons or without a partition.
    int expertAtPosition(int position) const;
    // Neurons per expert of the partition shown (0 without one).
    int expertSize() const { return m_expertSize; }
    // Within-expert share of the off-diagonal co-activation (NaN without a partition).
    double intraExpertShare() const { return m_intraShare; }
    // What hovering the cell at (row, column) of a map shows. `ordered` picks the reordered map;
    // the other is the original order. Empty outside the map.
    QString cellToolTip(bool ordered, int row, int column) const;
    // What the tooltip shows at a pixel of one of the two plots (empty outside the maps).
    QString toolTipAt(QCustomPlot* plot, const QPoint& pos) const;
    // The expert outlined by highlightExpert(), or -1.
    int highlightedExpert() const { return m_highlighted; }

    QCustomPlot* plot() const { return m_plot; }
    QCustomPlot* sideBySidePlot() const { return m_pairPlot; }
    // The reordered map of the single plot; its cells hold log10 of the counts (NaN for 0).
    QCPColorMap* colorMap() const { return m_single.map; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

Q_SIGNALS:
    // The maps of the chosen layer and partition are on the plots.
    void layerShown();

public Q_SLOTS:
    // Shows `partition`'s order of `layer` and outlines `expert`'s block. An unknown partition or
    // layer clears the outline.
    void highlightExpert(const QString& partition, int layer, int expert);

private:
    // One colour map in its axis rect, with the items drawn over it.
    struct MapPanel {
        QCPAxisRect* rect = nullptr;
        QCPColorMap* map = nullptr;
        QCPItemRect* highlight = nullptr;
        QCPItemText* highlightLabel = nullptr;
        QList<QCPAbstractItem*> boundaries;
        bool ordered = true;
    };

    void buildPlots();
    MapPanel makePanel(QCustomPlot* plot, QCPAxisRect* rect, QCPColorScale* scale, bool ordered);
    // Prepares the chosen layer and partition (on a worker when there is a runner).
    void rebuild();
    // Puts prepared maps on the plots (GUI thread; takes the maps).
    void showLayer(HeatmapLayer& prepared);
    void decoratePanel(MapPanel& panel, int dFf);
    void updateHighlight();
    void resetZoom();
    void replotVisible();

    ProfileHandle m_profile;
    QList<PartitionEntry> m_partitions;

    QStackedWidget* m_stack = nullptr;
    QStackedWidget* m_plotStack = nullptr;
    QComboBox* m_layerBox = nullptr;
    QComboBox* m_partitionBox = nullptr;
    QCheckBox* m_sideBySide = nullptr;
    QLabel* m_info = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCustomPlot* m_pairPlot = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPColorScale* m_pairScale = nullptr;
    MapPanel m_single;
    MapPanel m_pairLeft;
    MapPanel m_pairRight;

    NewestJob m_preparation{this};  // the layer being prepared on a worker, if any
    int m_shownLayer = -1;          // the layer whose maps are on the plots

    std::vector<int> m_order;     // display position → neuron (reordered map)
    std::vector<int> m_expertAt;  // display position → expert (-1 shared / none)
    std::vector<int> m_expertOf;  // neuron → expert (-1 shared / none)
    int m_numExperts = 0;
    int m_expertSize = 0;
    double m_intraShare = 0.0;
    int m_highlighted = -1;
};

}  // namespace moewb::gui
