#pragma once
// Expert load of one router (docs/algorithms.md, "Router quality"): how the router spreads the
// held-out tokens over the experts at a chosen K. Top: the share of tokens that run each expert in
// the picked layer, against the even share K/N (dashed); bottom: the coefficient of variation of
// those shares in every layer (0 = perfectly even), the picked layer highlighted. Plain data in (no
// LibTorch here): GateAccuracyView copies it out of RouterQuality::load / loadCv.

#include "QCustomPlotHeader.h"

#include <QStringList>

#include <vector>

namespace moewb::gui {

class ExpertLoadPlot : public QCustomPlot {
    Q_OBJECT

public:
    // load[l][k-1][e]: share of tokens that run expert e of layer l when the router picks k;
    // cv[l][k-1]: the coefficient of variation of load[l][k-1]. Empty = not measured.
    struct Load {
        QString router;
        std::vector<std::vector<std::vector<double>>> load;
        std::vector<std::vector<double>> cv;
    };

    explicit ExpertLoadPlot(QWidget* parent = nullptr);

    // Shows this router's load (router empty: no router chosen).
    void setLoad(const Load& load);
    // Labels of the layers ("enc 1", …), one per layer of the load.
    void setLayerLabels(const QStringList& labels);
    void setK(int k);
    void setLayer(int layer);
    int layer() const { return m_layer; }

    // Whether the router file has load figures for the current K (older files have none).
    bool isMeasured() const;
    // The CV of the picked layer at K (NaN when not measured).
    double currentCv() const;
    QString titleText() const;
    QCPBars* loadBars() const { return m_loadBars; }
    QCPBars* cvBars() const { return m_cvBars; }

private:
    void refresh();
    QString layerLabel(int layer) const;

    Load m_data;
    QStringList m_layerLabels;
    int m_k = 1;
    int m_layer = 0;
    QCPTextElement* m_title = nullptr;
    QCPAxisRect* m_cvRect = nullptr;
    QCPBars* m_loadBars = nullptr;
    QCPBars* m_cvBars = nullptr;
    QCPBars* m_cvPicked = nullptr;  // the picked layer's CV bar, in a stronger colour
    QCPGraph* m_even = nullptr;
};

}  // namespace moewb::gui
