#pragma once
// The numbers behind the sweep plots: one row per setting of every shown sweep (its dense
// reference first), with speedups against that sweep's dense run as the sweep measured them
// (median of interleaved rounds ± spread). Exports the same table as CSV for spreadsheets and
// papers.

#include "WorkbenchData.h"

#include <QAbstractTableModel>
#include <QList>

#include <vector>

namespace moewb::gui {

class SweepTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        SweepColumn,
        PartitionColumn,
        RouterColumn,
        EncoderKColumn,
        DecoderKColumn,
        BleuColumn,
        ComputeColumn,
        SecondsColumn,
        MsPerTokenColumn,
        FfnSecondsColumn,
        SpeedupColumn,
        TokenSpeedupColumn,
        FfnSpeedupColumn,
        RecallColumn,
        FfnErrorColumn,
        ColumnCount
    };
    // data() under this role gives the unrounded number (K = 0 for the dense row, the most experts
    // for a dynamic-K row; the median for speed-ups; compute as a fraction; NaN when an older file
    // lacks it) for sorting and plotting; DisplayRole gives the rounded text, speed-ups as
    // "×1.31 ± 0.04", compute as "18.5 %" ("–" unknown), dynamic-K rows' K as "τ 0.40 (≤ 8)".
    // ThresholdRole on any column gives the row's τ (0 = fixed K).
    static constexpr int RawValueRole = Qt::UserRole;
    static constexpr int ThresholdRole = Qt::UserRole + 1;

    explicit SweepTableModel(QObject* parent = nullptr);

    // Replaces the rows; entries without a result are skipped. colorIndices[i] is the palette
    // index of sweeps[i]'s swatch, matching its lines in the plots (default: its position).
    void setSweeps(const QList<SweepEntry>& sweeps, const QList<int>& colorIndices = {});
    const QList<SweepEntry>& sweeps() const { return m_sweeps; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Every row as CSV: a header line (sweep,partition,router,encoder_k,…; the columns of
    // `moewb sweep`'s CSV after the sweep name, spreads in columns of their own), then one line
    // per row, dense rows with K = 0.
    QString toCsv() const;
    // Writes toCsv() to `path` atomically. Returns false and sets *error (file and reason).
    bool exportCsv(const QString& path, QString* error) const;

private:
    struct Row {
        int sweep = 0;  // index into m_sweeps
        int row = -1;   // index into the sweep's rows; -1 = its dense run
    };
    const moewb::SweepRow& sweepRow(const Row& row) const;
    QVariant rawValue(const Row& row, int column) const;
    QString displayText(const Row& row, int column) const;
    // How a MoE row was timed, as a tooltip line.
    static QString timingToolTip(const moewb::SweepRow& row);

    QList<SweepEntry> m_sweeps;
    QList<int> m_colorIndices;  // one per m_sweeps entry
    std::vector<Row> m_rows;
};

}  // namespace moewb::gui
