#pragma once
// Gate accuracy (docs/algorithms.md, "Router quality"; docs/architecture.md, "The views"): how well
// each router picks the experts the oracle would. Two figures: recall@K and mass coverage per layer
// at one K (grouped bars, one colour per router), and recall against K for one layer or the mean of
// layers, with random choice (K/N) as the baseline; and the expert load of one router at K
// (ExpertLoadPlot: share of tokens per expert in a picked layer, load CV per layer). A table beside
// them lists the numbers. It only shows what setRouters() gives it.

#include "WorkbenchData.h"

#include "FigureExporter.h"

#include <QList>
#include <QStringList>
#include <QWidget>

#include <array>

class QAbstractItemModel;
class QCPBarsGroup;
class QCPTextElement;
class QComboBox;
class QCustomPlot;
class QLabel;
class QSpinBox;
class QStackedWidget;
class QStandardItemModel;
class QTableView;

namespace moewb::gui {

class ExpertLoadPlot;

class GateAccuracyView : public QWidget, public FigureSource {
    Q_OBJECT

public:
    explicit GateAccuracyView(QWidget* parent = nullptr);

    // Shows these routers (entries without a set are skipped); an empty list shows the hint.
    void setRouters(const QList<RouterEntry>& routers);
    // Names of the FFN layers, encoder first ("encoder0", … as in the partition file); shown as
    // "enc 1", …; without them the layers are numbered.
    void setLayerNames(const QStringList& names);

    QList<Figure> figures() const override;

    // The K of the per-layer plot and the table (1 … smallest N of the routers; default N/4).
    int k() const;
    void setK(int k);
    // -1 = mean of layers, else the layer index shown in the recall-vs-K plot.
    int recallLayer() const;

    QCustomPlot* layersPlot() const { return m_layersPlot; }
    QCustomPlot* recallPlot() const { return m_recallPlot; }
    QSpinBox* kSpinBox() const { return m_kSpin; }
    QComboBox* layerCombo() const { return m_layerCombo; }
    ExpertLoadPlot* loadPlot() const { return m_loadPlot; }
    QComboBox* loadRouterCombo() const { return m_loadRouter; }
    QComboBox* loadLayerCombo() const { return m_loadLayer; }
    QAbstractItemModel* tableModel() const;
    bool isShowingHint() const;

private:
    QList<RouterEntry> m_routers;
    QStringList m_layerNames;

    int layerCount() const;
    int smallestExpertCount() const;
    QString layerLabel(int layer) const;
    void rebuildControls();
    void refreshLayersPlot();
    void refreshRecallPlot();
    void refreshTable();
    void refreshLoad();
    void setUpLayersPlot();
    void setUpRecallPlot();

    QStackedWidget* m_stack = nullptr;
    QLabel* m_hint = nullptr;
    QSpinBox* m_kSpin = nullptr;
    QComboBox* m_layerCombo = nullptr;
    QCustomPlot* m_layersPlot = nullptr;
    QCustomPlot* m_recallPlot = nullptr;
    ExpertLoadPlot* m_loadPlot = nullptr;
    QComboBox* m_loadRouter = nullptr;
    QComboBox* m_loadLayer = nullptr;
    QCPTextElement* m_recallTitle = nullptr;
    std::array<QCPBarsGroup*, 2> m_barGroups{};  // recall, mass coverage
    QStandardItemModel* m_table = nullptr;
    QTableView* m_tableView = nullptr;
};

}  // namespace moewb::gui
