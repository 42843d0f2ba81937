// SweepTableModel on a real sweep of the tiny model: model consistency (QAbstractItemModelTester),
// rows and values, speedups against the sweep's dense run, and the CSV export.
#include "ResultsTestSupport.h"
#include "SweepTableModel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestSweepTableModel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        m_moe = moewb::test::tinyMoe(4);
        const auto routers = moewb::test::routerEntry(m_moe, "similarity", "kmeans-similarity");
        m_sweep = moewb::test::sweepEntry(m_moe, routers, "kmeans-similarity", false);
        m_grid = moewb::test::sweepEntry(m_moe, routers, "grid, 2 sides", true, 2);
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
            QCOMPARE(raw(SweepTableModel::SpeedupColumn).toDouble(),
                     result.dense.seconds / row.seconds);
            QCOMPARE(raw(SweepTableModel::FfnSpeedupColumn).toDouble(),
                     result.dense.ffnSeconds / row.ffnSeconds);
            QCOMPARE(raw(SweepTableModel::RecallColumn).toDouble(), row.recall);
            QCOMPARE(model.index(1 + r, SweepTableModel::BleuColumn).data().toString(),
                     QString::number(row.bleu, 'f', 2));
        }
        QCOMPARE(model.index(1, SweepTableModel::SpeedupColumn).data().toString(),
                 QString::number(result.dense.seconds / result.rows[0].seconds, 'f', 3) + "×");
        QCOMPARE(model.headerData(SweepTableModel::BleuColumn, Qt::Horizontal).toString(),
                 QStringLiteral("BLEU"));
        model.setSweeps({});
        QCOMPARE(model.rowCount(), 0);
    }

    void csvMatchesTheCoreExport() {
        SweepTableModel model;
        model.setSweeps({m_sweep, m_grid});
        const QStringList lines = model.toCsv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 4 + 5);
        QCOMPARE(lines[0], QStringLiteral("sweep,partition,router,encoder_k,decoder_k,bleu,seconds,"
                                          "ffn_seconds,speedup,ffn_speedup,recall,ffn_error"));
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
    SweepEntry m_sweep, m_grid;
};

QTEST_MAIN(TestSweepTableModel)
#include "test_SweepTableModel.moc"
