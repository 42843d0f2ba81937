#pragma once
// The main window: menus, the project panel (dock), the tabbed views and the status-bar job
// display. Wiring only: the views own their logic, ProjectSession owns the project's data and
// steps, and the JobRunner owns the threads.

#include <QMainWindow>

class QTabWidget;

namespace moewb::gui {

class CoActivationHeatmap;
class ExpertGraphView;
class FinetuneCurveView;
class GateAccuracyView;
class JobRunner;
class JobStatusWidget;
class OverviewView;
class ProjectMenu;
class ProjectPanel;
class ProjectSession;
class SparsityView;
class SweepView;
class TranslatorPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // QSettings identity, shared with main() (geometry, window state, "language", recent).
    static QString organizationName();
    static QString applicationName();

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    JobRunner* jobRunner() const { return m_jobs; }
    ProjectSession* session() const { return m_session; }
    QTabWidget* tabs() const { return m_tabs; }
    OverviewView* overview() const { return m_overview; }
    ProjectPanel* projectPanel() const { return m_panel; }
    TranslatorPanel* translator() const { return m_translator; }
    FinetuneCurveView* finetuneCurve() const { return m_finetuneCurve; }

    // Opens a project folder (creating it when it has no project.json) on the worker; a fresh
    // project gets the quick-start steps (profile, k-means experts, similarity routers).
    void openProject(const QString& folder, const QString& modelPath = {});
    // Batch runs (screenshots, export) report errors on stderr instead of modal message boxes,
    // which would wait for a click nobody makes.
    void setBatchMode(bool batch) { m_batch = batch; }
    // Writes every view's figures into `folder` (PNG, PDF and SVG); returns the files written.
    QStringList exportAllFigures(const QString& folder, QString* error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createViews();
    void createMenus();
    void connectSession();
    void refreshOverview();
    void warn(const QString& title, const QString& message);

    JobRunner* m_jobs = nullptr;
    ProjectSession* m_session = nullptr;
    QTabWidget* m_tabs = nullptr;
    OverviewView* m_overview = nullptr;
    ProjectPanel* m_panel = nullptr;
    SparsityView* m_sparsity = nullptr;
    CoActivationHeatmap* m_heatmap = nullptr;
    ExpertGraphView* m_graph = nullptr;
    GateAccuracyView* m_gates = nullptr;
    SweepView* m_sweeps = nullptr;
    FinetuneCurveView* m_finetuneCurve = nullptr;
    TranslatorPanel* m_translator = nullptr;
    JobStatusWidget* m_jobStatus = nullptr;
    ProjectMenu* m_projectMenu = nullptr;
    bool m_quickStartPending = false;
    bool m_batch = false;
};

}  // namespace moewb::gui
