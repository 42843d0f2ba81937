#pragma once
// Sweeps (docs/algorithms.md, "Sweeps and the comparison table"): BLEU, wall time and speedup
// against the number of active experts K for the checked sweeps, with the table of numbers beside
// them (CSV export), grid sweeps (encoder K × decoder K) as a BLEU heatmap or cut to their
// diagonal, and the classic comparison table (dense and K = 1, 2, 4, 8 over 10…30 sentences) as a
// table and a plot. It only shows what the setters give it; the run buttons ask the owner to start
// the jobs.

#include "WorkbenchData.h"

#include "FigureExporter.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QGridLayout;
class QCustomPlot;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QStandardItemModel;
class QTabWidget;
class QTableView;

namespace moewb::gui {

class SweepComparisonPanel;
class SweepTableModel;

class SweepView : public QWidget, public FigureSource {
    Q_OBJECT

public:
    // How sweeps that vary encoder and decoder K separately are shown.
    enum class GridMode {
        Heatmap,  // BLEU over encoder K × decoder K; the line plots keep the other sweeps
        Diagonal  // only rows with encoder K = decoder K, as lines like any other sweep
    };

    explicit SweepView(QWidget* parent = nullptr);

    // Shows these sweeps (entries without a result are skipped), all checked except those the
    // user unchecked before under the same name. An empty list shows the hint.
    void setSweeps(const QList<SweepEntry>& sweeps);
    // Classic comparison tables for the second tab; the newest (last) is shown first.
    void setComparisons(const QList<ComparisonEntry>& comparisons);

    // sweep-bleu, sweep-time, sweep-speedup, comparison; and sweep-grid-bleu while a grid sweep
    // is shown as a heatmap.
    QList<Figure> figures() const override;

    // Names of the sweeps in the plots and the table.
    QStringList checkedSweeps() const;
    void setSweepChecked(const QString& name, bool checked);
    GridMode gridMode() const { return m_gridMode; }
    void setGridMode(GridMode mode);
    // Writes the table (checked sweeps, as shown) to a CSV file; false and *error on failure.
    bool exportCsv(const QString& path, QString* error) const;

    QCustomPlot* bleuPlot() const { return m_bleuPlot; }
    QCustomPlot* timePlot() const { return m_timePlot; }
    QCustomPlot* speedupPlot() const { return m_speedupPlot; }
    QCustomPlot* gridPlot() const { return m_gridPlot; }
    QCustomPlot* comparisonPlot() const;
    SweepTableModel* tableModel() const { return m_tableModel; }
    SweepComparisonPanel* comparisonPanel() const { return m_comparison; }
    QTabWidget* tabs() const { return m_tabs; }
    bool isShowingSweepHint() const;

Q_SIGNALS:
    // The user asked for a new sweep / classic comparison (the owner runs it as a job).
    void runSweepRequested();
    void runComparisonRequested();

private:
    void refreshSweeps();
    void arrangePlots(bool lines, bool heatmap);
    void refreshLinePlots(const QList<SweepEntry>& lines, const QList<int>& colors);
    void refreshGridPlot(const QList<SweepEntry>& grids);
    void askAndExportCsv();
    QWidget* buildSweepPage();

    QList<SweepEntry> m_sweeps;
    QStringList m_unchecked;  // names the user unchecked; kept across setSweeps()
    GridMode m_gridMode = GridMode::Heatmap;

    QTabWidget* m_tabs = nullptr;
    QPushButton* m_runSweep = nullptr;
    QPushButton* m_runComparison = nullptr;
    QStackedWidget* m_sweepStack = nullptr;
    QLabel* m_sweepHint = nullptr;
    QListWidget* m_sweepList = nullptr;
    QComboBox* m_gridModeCombo = nullptr;
    QComboBox* m_gridSweepCombo = nullptr;
    QPushButton* m_exportCsv = nullptr;
    QCustomPlot* m_bleuPlot = nullptr;
    QCustomPlot* m_timePlot = nullptr;
    QCustomPlot* m_speedupPlot = nullptr;
    QCustomPlot* m_gridPlot = nullptr;
    QGridLayout* m_plotGrid = nullptr;
    SweepTableModel* m_tableModel = nullptr;
    QTableView* m_tableView = nullptr;

    SweepComparisonPanel* m_comparison = nullptr;
};

}  // namespace moewb::gui
