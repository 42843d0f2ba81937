#include "SweepTableModel.h"

#include "FigureExporter.h"

#include <QFont>
#include <QSaveFile>

#include <cmath>
#include <cstdio>

namespace moewb::gui {

namespace {

// Quotes a CSV field only when it needs it (RFC 4180), so plain names match `moewb sweep`'s CSV.
QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// Decimals per column in the display.
int decimals(int column) {
    switch (column) {
        case SweepTableModel::BleuColumn:
            return 2;
        case SweepTableModel::SpeedupColumn:
        case SweepTableModel::TokenSpeedupColumn:
            return 2;  // the spread is rarely below 0.01: more digits would be noise
        case SweepTableModel::FfnSpeedupColumn:
            return 3;
        default:
            return 4;
    }
}

// The C library's rounding, as the core's CSV: Qt's formatting rounds 0.28125 up where printf
// writes 0.2812, and the two CSVs must agree.
QString fixed(double value, int digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return QString::fromLatin1(text);
}

}  // namespace

SweepTableModel::SweepTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void SweepTableModel::setSweeps(const QList<SweepEntry>& sweeps, const QList<int>& colorIndices) {
    beginResetModel();
    m_sweeps.clear();
    m_colorIndices.clear();
    m_rows.clear();
    for (int i = 0; i < sweeps.size(); ++i) {
        const auto& entry = sweeps[i];
        if (!entry.result) {
            continue;
        }
        const int index = static_cast<int>(m_sweeps.size());
        m_sweeps.append(entry);
        m_colorIndices.append(i < colorIndices.size() ? colorIndices[i] : i);
        m_rows.push_back({index, -1});
        for (int r = 0; r < static_cast<int>(entry.result->rows.size()); ++r) {
            m_rows.push_back({index, r});
        }
    }
    endResetModel();
}

int SweepTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SweepTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

const moewb::SweepRow& SweepTableModel::sweepRow(const Row& row) const {
    const auto& result = *m_sweeps[row.sweep].result;
    return row.row < 0 ? result.dense : result.rows[static_cast<std::size_t>(row.row)];
}

QVariant SweepTableModel::rawValue(const Row& row, int column) const {
    const auto& result = *m_sweeps[row.sweep].result;
    const auto& r = sweepRow(row);
    const bool tokens = r.targetTokens > 0;  // format-1 files have no token counts
    switch (column) {
        case SweepColumn:
            return m_sweeps[row.sweep].name;
        case PartitionColumn:
            return QString::fromStdString(result.partition);
        case RouterColumn:
            return QString::fromStdString(result.router);
        case EncoderKColumn:
            return r.encoderK;
        case DecoderKColumn:
            return r.decoderK;
        case BleuColumn:
            return r.bleu;
        case ComputeColumn:
            // Sweeps saved before the compute accounting did not measure it (read as 0).
            return r.compute > 0 ? r.compute : std::nan("");
        case SecondsColumn:
            return r.seconds;
        case MsPerTokenColumn:
            return tokens ? 1000.0 * r.secondsPerToken() : std::nan("");
        case FfnSecondsColumn:
            return r.ffnSeconds;
        case SpeedupColumn:
            return r.speedup;
        case TokenSpeedupColumn:
            return tokens ? r.tokenSpeedup : std::nan("");
        case FfnSpeedupColumn:
            return r.ffnSpeedup;
        case RecallColumn:
            return r.recall;
        case FfnErrorColumn:
            return r.ffnError;
        default:
            return {};
    }
}

QString SweepTableModel::displayText(const Row& row, int column) const {
    const QVariant value = rawValue(row, column);
    switch (column) {
        case SweepColumn:
        case PartitionColumn:
        case RouterColumn:
            return value.toString();
        case EncoderKColumn:
        case DecoderKColumn: {
            if (row.row < 0) {
                return tr("dense");
            }
            const double tau = sweepRow(row).threshold;
            return tau > 0 ? tr("τ %1 (≤ %2)").arg(fixed(tau, 2)).arg(value.toInt())
                           : QString::number(value.toInt());
        }
        case ComputeColumn: {
            const double compute = value.toDouble();
            return std::isnan(compute) ? tr("–") : tr("%1 %").arg(fixed(100.0 * compute, 1));
        }
        default: {
            const double number = value.toDouble();
            if (std::isnan(number)) {
                return {};
            }
            const QString text = fixed(number, decimals(column));
            const auto& r = sweepRow(row);
            if (column == SpeedupColumn || column == TokenSpeedupColumn) {
                const double spread =
                    column == SpeedupColumn ? r.speedupSpread : r.tokenSpeedupSpread;
                // Dense against itself, or one timing (a format-1 file): no spread to show.
                return r.rounds > 1 && row.row >= 0
                           ? tr("×%1 ± %2").arg(text, fixed(spread, decimals(column)))
                           : tr("×%1").arg(text);
            }
            return column == FfnSpeedupColumn ? tr("×%1").arg(text) : text;
        }
    }
}

QVariant SweepTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount) {
        return {};
    }
    const Row& row = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
            return displayText(row, index.column());
        case RawValueRole:
            return rawValue(row, index.column());
        case ThresholdRole:
            return sweepRow(row).threshold;
        case Qt::TextAlignmentRole:
            return index.column() <= RouterColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                  : QVariant(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::DecorationRole:
            // The swatch ties the row to its lines in the plots (same palette order).
            return index.column() == SweepColumn
                       ? QVariant(FigureExporter::color(m_colorIndices[row.sweep]))
                       : QVariant();
        case Qt::FontRole:
            if (row.row < 0) {
                QFont font;
                font.setItalic(true);
                return font;
            }
            return {};
        case Qt::ToolTipRole: {
            const auto& r = sweepRow(row);
            const QString& name = m_sweeps[row.sweep].name;
            const int n = m_sweeps[row.sweep].result->numExperts;
            if (row.row < 0) {
                return tr("Dense reference run of “%1” (every expert computed)").arg(name);
            }
            const QString what =
                r.threshold > 0
                    ? tr("“%1” with dynamic K: each token takes the fewest experts holding τ = %2 "
                         "of the router's mass, at most %3 of %4")
                          .arg(name, fixed(r.threshold, 2))
                          .arg(r.encoderK)
                          .arg(n)
                    : tr("“%1” with encoder K = %2 and decoder K = %3 of %4 experts")
                          .arg(name)
                          .arg(r.encoderK)
                          .arg(r.decoderK)
                          .arg(n);
            return what + timingToolTip(r);
        }
        default:
            return {};
    }
}

QVariant SweepTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    if (role == Qt::DisplayRole) {
        // Short titles keep the table narrow beside the plots; the tooltips say it in full.
        static const char* const titles[ColumnCount] = {
            QT_TR_NOOP("Sweep"),   QT_TR_NOOP("Partition"), QT_TR_NOOP("Router"),
            QT_TR_NOOP("Enc K"),   QT_TR_NOOP("Dec K"),     QT_TR_NOOP("BLEU"),
            QT_TR_NOOP("Compute"), QT_TR_NOOP("Time (s)"),  QT_TR_NOOP("ms/token"),
            QT_TR_NOOP("FFN (s)"), QT_TR_NOOP("Speedup"),   QT_TR_NOOP("Per token"),
            QT_TR_NOOP("FFN ×"),   QT_TR_NOOP("Recall"),    QT_TR_NOOP("FFN error")};
        return tr(titles[section]);
    }
    if (role == Qt::ToolTipRole) {
        static const char* const tips[ColumnCount] = {
            QT_TR_NOOP("Name of the saved sweep"),
            QT_TR_NOOP("Partition the experts come from"),
            QT_TR_NOOP("Router that picks the experts"),
            QT_TR_NOOP("Experts computed per token in each encoder layer (dynamic K: its "
                       "threshold τ and the most experts)"),
            QT_TR_NOOP("Experts computed per token in each decoder layer (dynamic K: its "
                       "threshold τ and the most experts)"),
            QT_TR_NOOP("Corpus BLEU on the test set (sacreBLEU, 0–100)"),
            QT_TR_NOOP("Share of the dense feed-forward multiply-adds done: router and shared "
                       "neurons included, encoder and decoder tokens together (– when the sweep "
                       "file predates this measurement)"),
            QT_TR_NOOP("Wall time of translating the test set (median over the timed rounds)"),
            QT_TR_NOOP("Milliseconds per target token written: a weak K can make outputs longer "
                       "or shorter, which changes the wall time for reasons other than speed"),
            QT_TR_NOOP("Part of the time spent inside the feed-forward layers, routing included"),
            QT_TR_NOOP("Dense time divided by this row's time: the median over rounds that ran "
                       "dense and this setting alternately, ± the farthest round"),
            QT_TR_NOOP("The speedup per target token, ± the farthest round"),
            QT_TR_NOOP("Dense FFN time divided by this row's FFN time (median over rounds)"),
            QT_TR_NOOP("Mean held-out recall@K of the router over layers"),
            QT_TR_NOOP("Mean relative error of the FFN output against the dense FFN")};
        return tr(tips[section]);
    }
    return {};
}

QString SweepTableModel::toCsv() const {
    QString csv =
        QStringLiteral("sweep,") + QString::fromUtf8(moewb::kSweepCsvHeader) + QLatin1Char('\n');
    for (const Row& row : m_rows) {
        const auto& result = *m_sweeps[row.sweep].result;
        const auto& r = sweepRow(row);
        // The fields and decimals of the core's SweepResult::toCsv(), after the sweep name.
        const QStringList fields = {csvField(m_sweeps[row.sweep].name),
                                    csvField(QString::fromStdString(result.partition)),
                                    csvField(QString::fromStdString(result.router)),
                                    QString::number(r.encoderK),
                                    QString::number(r.decoderK),
                                    fixed(r.bleu, 2),
                                    fixed(r.seconds, 4),
                                    fixed(r.ffnSeconds, 4),
                                    fixed(r.speedup, 3),
                                    fixed(r.speedupSpread, 3),
                                    fixed(r.ffnSpeedup, 3),
                                    QString::number(r.targetTokens),
                                    fixed(1000.0 * r.secondsPerToken(), 4),
                                    fixed(r.tokenSpeedup, 3),
                                    fixed(r.tokenSpeedupSpread, 3),
                                    QString::number(r.rounds),
                                    fixed(r.recall, 4),
                                    fixed(r.ffnError, 4),
                                    fixed(r.threshold, 3),
                                    fixed(r.compute, 4)};
        csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return csv;
}

QString SweepTableModel::timingToolTip(const moewb::SweepRow& row) {
    return row.rounds > 1 ? tr("\nTimes: medians over %n interleaved round(s) of dense and this "
                               "setting",
                               nullptr, row.rounds)
                          : tr("\nTimed once (a sweep saved before interleaved timing)");
}

bool SweepTableModel::exportCsv(const QString& path, QString* error) const {
    QString ignored;
    error = error ? error : &ignored;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = tr("%1: cannot write (%2); choose another folder").arg(path, file.errorString());
        return false;
    }
    file.write(toCsv().toUtf8());
    if (!file.commit()) {
        *error = tr("%1: writing failed (%2)").arg(path, file.errorString());
        return false;
    }
    return true;
}

}  // namespace moewb::gui
