// SweepTableModel on a real sweep of the default model: model consistency
// (QAbstractItemModelTester), rows and values, speedups against the sweep's dense run, the compute
// column and dynamic-K rows, and the CSV export.
#include "ResultsTestSupport.h"
#include "SweepTableModel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace moewb::gui;

class TestSweepTableModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        m_moe = moewb::test::defaultModelMoe(4);
        const auto routers = moewb::test::routerEntry(m_moe, "similarity", "kmeans-similarity");
        m_sweep = moewb::test::sweepEntry(m_moe, routers, "kmeans-similarity", false);
        m_grid = moewb::test::sweepEntry(m_moe, routers, "grid, 2 sides", true, 2);
        m_dynamic = moewb::test::sweepEntry(m_moe, routers, "dynamic", false, 2, {0.4});
    }

    void rowsCarryTheSweep() {
        SweepTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(SweepTableModel::ColumnCount));
        model.setSweeps({m_sweep, SweepEntry{"no result", nullptr}, m_grid});
        const auto& result = *m_sweep.result;
        QCOMPARE(model.sweeps().size(), 2);
        QCOMPARE(model.rowCount(), 1 + 3 + 1 + 4);  // dense + K 1, 2, 4; dense + 2 × 2 grid
        // The dense row first, then the sweep's rows.
        QCOMPARE(model.index(0, SweepTableModel::EncoderKColumn).data().toString(),
                 QStringLiteral("dense"));
        QCOMPARE(model.index(0, SweepTableModel::EncoderKColumn)
                     .data(SweepTableModel::RawValueRole)
                     .toInt(),
                 0);
        QCOMPARE(model.index(0, SweepTableModel::SpeedupColumn)
                     .data(SweepTableModel::RawValueRole)
                     .toDouble(),
                 1.0);
        QCOMPARE(model.index(0, SweepTableModel::SpeedupColumn).data().toString(),
                 QStringLiteral("×1.00"));  // dense against itself: no spread to show
        // Distinct BLEU per row, so a row shown at the wrong K fails below.
        QVERIFY(result.dense.bleu > 10);
        QVERIFY(result.rows[0].bleu != result.rows[1].bleu ||
                result.rows[1].bleu != result.rows[2].bleu);
        for (int r = 0; r < 3; ++r) {
            const auto& row = result.rows[r];
            auto raw = [&](int column) {
                return model.index(1 + r, column).data(SweepTableModel::RawValueRole);
            };
            QCOMPARE(raw(SweepTableModel::SweepColumn).toString(), m_sweep.name);
            QCOMPARE(raw(SweepTableModel::RouterColumn).toString(), QStringLiteral("similarity"));
            QCOMPARE(raw(SweepTableModel::EncoderKColumn).toInt(), row.encoderK);
            QCOMPARE(raw(SweepTableModel::BleuColumn).toDouble(), row.bleu);
            QCOMPARE(raw(SweepTableModel::SecondsColumn).toDouble(), row.seconds);
            QCOMPARE(raw(SweepTableModel::SpeedupColumn).toDouble(), row.speedup);
            QCOMPARE(raw(SweepTableModel::TokenSpeedupColumn).toDouble(), row.tokenSpeedup);
            QCOMPARE(raw(SweepTableModel::MsPerTokenColumn).toDouble(),
                     1000.0 * row.seconds / row.targetTokens);
            QCOMPARE(raw(SweepTableModel::FfnSpeedupColumn).toDouble(), row.ffnSpeedup);
            QCOMPARE(raw(SweepTableModel::RecallColumn).toDouble(), row.recall);
            QCOMPARE(model.index(1 + r, SweepTableModel::BleuColumn).data().toString(),
                     QString::number(row.bleu, 'f', 2));
        }
        // The median of the interleaved rounds ± the farthest round.
        const auto& first = result.rows[0];
        QCOMPARE(first.rounds, 2);
        QCOMPARE(model.index(1, SweepTableModel::SpeedupColumn).data().toString(),
                 "×" + QString::number(first.speedup, 'f', 2) + " ± " +
                     QString::number(first.speedupSpread, 'f', 2));
        QCOMPARE(model.index(1, SweepTableModel::TokenSpeedupColumn).data().toString(),
                 "×" + QString::number(first.tokenSpeedup, 'f', 2) + " ± " +
                     QString::number(first.tokenSpeedupSpread, 'f', 2));
        QVERIFY(model.index(1, SweepTableModel::SweepColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains("2 interleaved round"));
        QCOMPARE(model.headerData(SweepTableModel::BleuColumn, Qt::Horizontal).toString(),
                 QStringLiteral("BLEU"));
        model.setSweeps({});
        QCOMPARE(model.rowCount(), 0);
    }

    void aSweepTimedOnceShowsNoSpread() {
        // As read from a file of format 1: one timing per setting, no token counts.
        auto old = std::make_shared<moewb::SweepResult>(*m_sweep.result);
        for (auto& row : old->rows) {
            row.rounds = 1;
            row.speedupSpread = 0;
            row.targetTokens = 0;
            row.tokenSpeedup = 0;
        }
        SweepTableModel model;
        model.setSweeps({SweepEntry{"old", old}});
        QCOMPARE(model.index(1, SweepTableModel::SpeedupColumn).data().toString(),
                 "×" + QString::number(old->rows[0].speedup, 'f', 2));
        QVERIFY(model.index(1, SweepTableModel::TokenSpeedupColumn).data().toString().isEmpty());
        QVERIFY(model.index(1, SweepTableModel::MsPerTokenColumn).data().toString().isEmpty());
        QVERIFY(model.index(1, SweepTableModel::SweepColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains("Timed once"));
    }

    void showsComputeAndLabelsDynamicRows() {
        SweepTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSweeps({m_dynamic});
        const auto& result = *m_dynamic.result;
        QCOMPARE(result.rows.size(), std::size_t(3 + 1));  // K 1, 2, 4 and τ 0.4
        QCOMPARE(model.rowCount(), 1 + 4);
        QCOMPARE(model.headerData(SweepTableModel::ComputeColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Compute"));
        auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
        auto raw = [&](int row, int column) {
            return model.index(row, column).data(SweepTableModel::RawValueRole);
        };
        QCOMPARE(text(0, SweepTableModel::ComputeColumn), QStringLiteral("100.0 %"));
        int dynamicRow = -1;
        for (int r = 0; r < 4; ++r) {
            const auto& row = result.rows[std::size_t(r)];
            QVERIFY(row.compute > 0 && row.compute < 1.5);
            QCOMPARE(raw(1 + r, SweepTableModel::ComputeColumn).toDouble(), row.compute);
            QCOMPARE(text(1 + r, SweepTableModel::ComputeColumn),
                     QString::number(100.0 * row.compute, 'f', 1) + " %");
            QCOMPARE(model.index(1 + r, 0).data(SweepTableModel::ThresholdRole).toDouble(),
                     row.threshold);
            if (row.threshold > 0) {
                dynamicRow = 1 + r;
            }
        }
        QVERIFY(dynamicRow > 0);
        // "τ 0.40 (≤ 2)": the threshold and the most experts (N/2 of 4).
        QCOMPARE(text(dynamicRow, SweepTableModel::EncoderKColumn), QStringLiteral("τ 0.40 (≤ 2)"));
        QCOMPARE(text(dynamicRow, SweepTableModel::DecoderKColumn), QStringLiteral("τ 0.40 (≤ 2)"));
        QCOMPARE(raw(dynamicRow, SweepTableModel::EncoderKColumn).toInt(), 2);
        QVERIFY(model.index(dynamicRow, 0).data(Qt::ToolTipRole).toString().contains("τ = 0.40"));
        QVERIFY(raw(dynamicRow, SweepTableModel::ComputeColumn).toDouble() < 1);

        // A sweep saved before compute was measured reads 0: shown as unknown.
        auto old = std::make_shared<moewb::SweepResult>(result);
        for (auto& row : old->rows) {
            row.compute = 0;
        }
        model.setSweeps({SweepEntry{"old", old}});
        QCOMPARE(text(1, SweepTableModel::ComputeColumn), QStringLiteral("–"));
        QVERIFY(std::isnan(raw(1, SweepTableModel::ComputeColumn).toDouble()));
    }

    void csvMatchesTheCoreExport() {
        SweepTableModel model;
        model.setSweeps({m_sweep, m_grid});
        const QStringList lines = model.toCsv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 4 + 5);
        QCOMPARE(lines[0],
                 QStringLiteral("sweep,partition,router,encoder_k,decoder_k,bleu,seconds,"
                                "ffn_seconds,speedup,speedup_spread,ffn_speedup,target_tokens,"
                                "ms_per_token,token_speedup,token_speedup_spread,rounds,recall,"
                                "ffn_error,threshold,compute"));
        // After the sweep name, each line is what `moewb sweep` writes for the same row.
        const QStringList core = QString::fromStdString(m_sweep.result->toCsv()).split('\n');
        for (int i = 1; i <= 4; ++i) {
            QCOMPARE(lines[i], "kmeans-similarity," + core[i]);
        }
        const QStringList coreGrid = QString::fromStdString(m_grid.result->toCsv()).split('\n');
        // A name with a comma is quoted.
        QCOMPARE(lines[5], "\"grid, 2 sides\"," + coreGrid[1]);
        QCOMPARE(lines[7], "\"grid, 2 sides\"," + coreGrid[3]);

        QTemporaryDir dir;
        const QString path = dir.filePath("sweeps.csv");
        QString error;
        QVERIFY2(model.exportCsv(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), model.toCsv());

        const QString bad = dir.filePath("no-such-folder/sweeps.csv");
        QVERIFY(!model.exportCsv(bad, &error));
        QVERIFY2(error.contains(bad), qPrintable(error));
        QVERIFY(!QFile::exists(bad));
    }

private:
    moewb::test::TinyMoe m_moe;
    SweepEntry m_sweep, m_grid, m_dynamic;
};

QTEST_MAIN(TestSweepTableModel)
#include "test_SweepTableModel.moc"
