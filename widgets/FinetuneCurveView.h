#pragma once
// The live curve of a MoE fine-tune (docs/moe-quality.md, "Fine-tuning with distillation"): the
// training loss and its KL and cross-entropy parts (and the FFN MSE when it is trained) per step on
// the left axis, and the greedy BLEU at K of the checks on the right axis. Points arrive one per
// training step, so appending is cheap and the redraw is throttled to a few per second; a smoothed
// view (an exponential moving average, as TensorBoard draws it) makes the trend of a noisy
// per-batch loss readable.

#include "moewb/moe/MoeFinetuner.h"

#include "FigureExporter.h"

#include <QWidget>

#include <array>
#include <vector>

class QCheckBox;
class QCPGraph;
class QCustomPlot;
class QLabel;
class QStackedWidget;
class QTimer;

namespace moewb::gui {

class FinetuneCurveView : public QWidget, public FigureSource {
    Q_OBJECT

public:
    enum class Series { Loss, Kd, Ce, Mse, Bleu };
    static constexpr int kRedrawIntervalMs = 250;  // at most four redraws per second
    static constexpr double kSmoothing = 0.9;      // EMA weight of the past (about 10 steps)

    explicit FinetuneCurveView(QWidget* parent = nullptr);

    // Replaces the curve (empty `points` and `model`: the "run the Fine-tune step" hint).
    void setCurve(const QString& model, const std::vector<moewb::FinetunePoint>& points);
    // Appends one step of the running fine-tune; the plot redraws within kRedrawIntervalMs.
    void addPoint(const moewb::FinetunePoint& point);
    // Smoothed (default) or raw per-step losses; BLEU is never smoothed.
    void setSmoothed(bool smoothed);
    bool isSmoothed() const;

    int pointCount() const { return int(m_points.size()); }
    int checkCount() const;
    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* graph(Series series) const { return m_graphs[std::size_t(series)]; }
    // The line under the plot: step, time, throughput, last losses, last and best BLEU.
    QString summaryText() const;

    // "finetune-curve" once there is a curve; none before.
    QList<Figure> figures() const override;

Q_SIGNALS:
    // After each (throttled) redraw, with the number of steps drawn.
    void redrawn(int points);

private:
    void appendToGraphs(const moewb::FinetunePoint& point);
    void rebuildGraphs();
    void redraw();
    void updateSummary();

    std::vector<moewb::FinetunePoint> m_points;
    QString m_model;
    std::array<QCPGraph*, 5> m_graphs{};
    std::array<double, 4> m_ema{};  // loss, KL, CE, MSE; debiased by m_emaWeight
    double m_emaWeight = 0;         // 1 - kSmoothing^steps
    QStackedWidget* m_stack = nullptr;
    QLabel* m_hint = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCheckBox* m_smooth = nullptr;
    QLabel* m_summary = nullptr;
    QTimer* m_redraw = nullptr;
};

}  // namespace moewb::gui
