#pragma once
// The main window: menus, the tabbed views, and the status-bar progress of the running job.
// Wiring only; the views own their logic and the JobRunner owns the threads.

#include <QMainWindow>
#include <QMap>

class JobRunner;
class OverviewView;
class QLabel;
class QProgressBar;
class QTabWidget;
class QToolButton;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // QSettings identity, shared with main() (geometry, window state, "language").
    static QString organizationName();
    static QString applicationName();

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    JobRunner* jobRunner() const { return m_jobs; }
    QTabWidget* tabs() const { return m_tabs; }
    OverviewView* overview() const { return m_overview; }

    // The About box text: application version and the versions of Qt, LibTorch, METIS and
    // QCustomPlot the program runs with.
    static QString aboutText();

public slots:
    void showAbout();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void createStatusBar();
    void onJobStarted(int id, const QString& title);
    void onJobProgress(int id, double fraction, const QString& message);
    void onJobEnded(int id, const QString& outcome);
    void showCurrentJob();

    struct RunningJob {
        QString title;
        double fraction = 0.0;
        QString message;
        bool cancelling = false;
    };

    JobRunner* m_jobs = nullptr;
    QTabWidget* m_tabs = nullptr;
    OverviewView* m_overview = nullptr;
    QLabel* m_jobLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    // Running jobs by id with their titles; the status bar follows the newest one.
    QMap<int, RunningJob> m_running;
};
