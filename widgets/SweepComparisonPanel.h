#pragma once
// The "Classic comparison" tab of the SweepView: one ComparisonTable (wall time and BLEU for
// dense and K = 1, 2, 4, 8 over the first 10…30 test sentences) as a table and as a figure with
// time and BLEU side by side. Shows only what setComparisons() gives it.

#include "WorkbenchData.h"

#include "FigureExporter.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QStackedWidget;
class QStandardItemModel;
class QTableView;

namespace moewb::gui {

class SweepComparisonPanel : public QWidget {
    Q_OBJECT

public:
    explicit SweepComparisonPanel(QWidget* parent = nullptr);

    // Entries without a table are skipped; the last one is shown first (the newest).
    void setComparisons(const QList<ComparisonEntry>& comparisons);
    // Shows the comparison at this index of the list given to setComparisons().
    void setCurrentComparison(int index);

    // The "comparison" figure.
    Figure figure() const;
    QCustomPlot* plot() const { return m_plot; }
    QStandardItemModel* model() const { return m_model; }
    bool isShowingHint() const;

private:
    void refresh();

    QList<ComparisonEntry> m_comparisons;
    QStackedWidget* m_stack = nullptr;
    QLabel* m_hint = nullptr;
    QComboBox* m_combo = nullptr;
    QLabel* m_info = nullptr;
    QStandardItemModel* m_model = nullptr;
    QTableView* m_view = nullptr;
    QCustomPlot* m_plot = nullptr;
};

}  // namespace moewb::gui
