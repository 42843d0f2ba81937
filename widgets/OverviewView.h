#pragma once
// The first tab: the pipeline corpus → model → profile → partitions → routers → sweeps with the
// state of each step (as a list and as a diagram), and what the workbench knows about its data
// sources on this machine. It shows only facts it has checked; no step is "done" until a project
// says so.

#include <QWidget>

#include <array>

class QCPItemRect;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QTreeWidget;

namespace moewb::gui {

class OverviewView : public QWidget {
    Q_OBJECT

public:
    enum class Step { Corpus, Model, Profile, Partitions, Routers, Sweeps };
    enum class StepState { NotComputed, Running, Done, Failed };
    static constexpr int kStepCount = 6;

    explicit OverviewView(QWidget* parent = nullptr);

    // Detail is a short free text shown after the state, e.g. "16 experts, 6 layers".
    void setStepState(Step step, StepState state, const QString& detail = {});
    StepState stepState(Step step) const { return m_states[index(step)]; }
    // The status text shown for a step (state and detail), as the user reads it.
    QString stepStatusText(Step step) const;

    static QString stepName(Step step);
    static QString stateName(StepState state);

    QCustomPlot* diagram() const { return m_diagram; }

private:
    static int index(Step step) { return static_cast<int>(step); }
    void buildDiagram();
    void refreshStep(Step step);
    QString dataSourcesText() const;

    QTreeWidget* m_steps = nullptr;
    QCustomPlot* m_diagram = nullptr;
    QLabel* m_dataNote = nullptr;
    std::array<QCPItemRect*, kStepCount> m_boxes{};
    std::array<QCPItemText*, kStepCount> m_stateLabels{};
    std::array<StepState, kStepCount> m_states{};
    std::array<QString, kStepCount> m_details{};
};

}  // namespace moewb::gui
