#pragma once
// The translator's per-token strip: which experts each FFN layer ran for each token. Two panels,
// encoder (source pieces on x) and decoder (generated pieces on x); on y every layer has one row
// per expert, and a cell is filled in the layer's colour when that expert fired for that token.
// Hovering a cell names the token, the layer, the expert and its rank.

#include "ExpertStripData.h"

#include "QCustomPlotHeader.h"

namespace moewb::gui {

class ExpertStripPlot : public QCustomPlot {
    Q_OBJECT

public:
    explicit ExpertStripPlot(QWidget* parent = nullptr);

    // Shows the experts fired in a MoE translation with K active experts per token (the most per
    // token when strip.threshold > 0: then each token shows the experts it actually ran).
    void setStrip(const ExpertStripData& strip, int k);
    // Empties the plot and shows `message` instead (what to do to fill it).
    void clearStrip(const QString& message);

    bool hasStrip() const { return !m_strip.isEmpty(); }
    const ExpertStripData& strip() const { return m_strip; }
    QCPColorMap* encoderMap() const { return m_encoderMap; }
    QCPColorMap* decoderMap() const { return m_decoderMap; }
    // The tooltip text for a point in widget coordinates (empty outside the cells).
    QString cellDescription(const QPointF& position) const;

protected:
    bool event(QEvent* event) override;

private:
    // Fills one side; `firstLayer` is the global index of its first layer, `tokens` its pieces.
    void fillSide(QCPAxisRect* rect, QCPColorMap* map, int firstLayer, int layerCount,
                  const std::vector<std::string>& tokens, const QString& sideName);

    QCPTextElement* m_title = nullptr;
    QCPLayoutGrid* m_sides = nullptr;
    QCPAxisRect* m_encoderRect = nullptr;
    QCPAxisRect* m_decoderRect = nullptr;
    QCPColorMap* m_encoderMap = nullptr;
    QCPColorMap* m_decoderMap = nullptr;
    ExpertStripData m_strip;
    int m_k = 0;
};

}  // namespace moewb::gui
