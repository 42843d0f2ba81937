#pragma once
// How many experts the translator's MoE runs per token: a mode switch between "fixed K" (the slider
// sets K, 1 … N) and "dynamic (τ)" (docs/moe-quality.md, "Per-layer and dynamic K": each token
// takes the fewest experts whose router mass reaches τ; the slider sets τ from 0.05 to 0.95 and a
// spin box the most experts K, default N/2). Each mode keeps its own slider position, so switching
// back and forth does not lose the user's K or τ.

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace moewb::gui {

class ActiveExpertsControl : public QWidget {
    Q_OBJECT

public:
    explicit ActiveExpertsControl(QWidget* parent = nullptr);

    // N experts per layer; 0 disables the control. The first N sets K = N/4 and the most
    // experts of dynamic mode to N/2; later ones keep the values where they still fit.
    void setExpertCount(int n);
    int expertCount() const { return m_n; }

    bool isDynamic() const;
    void setDynamic(bool dynamic);
    // Fixed mode: K. Dynamic mode: the most experts per token.
    int k() const;
    void setK(int k);  // the fixed K
    void setMaxK(int k);
    // τ in dynamic mode, 0 in fixed mode (what MoeLayer::setThreshold takes).
    double threshold() const;
    // Sets τ (rounded to the slider's 0.05 steps) for dynamic mode.
    void setThreshold(double tau);

    QComboBox* modeCombo() const { return m_mode; }
    QSlider* slider() const { return m_slider; }
    QSpinBox* maxKSpinBox() const { return m_maxK; }
    QLabel* valueLabel() const { return m_value; }

    // τ on the slider: τ = step × kTauStep, steps 1 … kTauSteps.
    static constexpr double kTauStep = 0.05;
    static constexpr int kTauSteps = 19;

Q_SIGNALS:
    // The mode, K, τ or the most experts changed (by the user or a setter).
    void changed();

private:
    void refresh();  // slider range and value for the mode, the value label

    QComboBox* m_mode = nullptr;
    QSlider* m_slider = nullptr;
    QLabel* m_maxKLabel = nullptr;
    QSpinBox* m_maxK = nullptr;
    QLabel* m_value = nullptr;
    int m_n = 0;
    int m_fixedK = 1;   // the slider's value in fixed mode
    int m_tauStep = 8;  // … and in dynamic mode (τ = 0.40)
};

}  // namespace moewb::gui
