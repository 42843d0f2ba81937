#pragma once
// Sparsity of the FFN layers (docs/algorithms.md, "Profiling"): one bar per encoder and decoder
// layer with the fraction of zero activations and the dense (non-zero) share stacked on it, and a
// histogram of how often each neuron of a chosen layer fires. The view only draws the profile it is
// given.

#include "WorkbenchData.h"

#include "FigureExporter.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QStackedWidget;

namespace moewb::gui {

class SparsityView : public QWidget, public FigureSource {
    Q_OBJECT

public:
    // Histogram bins over the activation frequency [0, 1].
    static constexpr int kHistogramBins = 40;

    explicit SparsityView(QWidget* parent = nullptr);

    // Shows the profile (null shows the "run the Profile step" hint). Keeps the chosen layer when
    // the new profile has a layer of the same name.
    void setProfile(ProfileHandle profile);
    ProfileHandle profile() const { return m_profile; }

    // "sparsity-layers" and "activation-frequency" once a profile is shown; none before.
    QList<Figure> figures() const override;

    QCustomPlot* layersPlot() const { return m_layersPlot; }
    QCustomPlot* frequencyPlot() const { return m_frequencyPlot; }
    QComboBox* layerPicker() const { return m_layerBox; }
    // Neurons per histogram bin of the layer shown (kHistogramBins values).
    QVector<double> histogramCounts() const { return m_counts; }

private:
    void rebuildLayers();
    void rebuildHistogram();
    void applyCountScale();

    ProfileHandle m_profile;
    QStackedWidget* m_stack = nullptr;
    QLabel* m_hint = nullptr;
    QCustomPlot* m_layersPlot = nullptr;
    QCustomPlot* m_frequencyPlot = nullptr;
    QComboBox* m_layerBox = nullptr;
    QCheckBox* m_logCounts = nullptr;
    QLabel* m_summary = nullptr;
    QVector<double> m_counts;
};

}  // namespace moewb::gui
