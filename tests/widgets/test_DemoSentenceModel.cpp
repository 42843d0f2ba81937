// DemoSentenceModel: the built-in demo set with references, user sentences without duplicates,
// corpora added in one insertion; checked by QAbstractItemModelTester throughout.
#include "DemoSentenceModel.h"

#include "moewb/corpus/ParallelCorpus.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using namespace moewb::gui;

class TestDemoSentenceModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loadsTheBuiltInDemoSet() {
        DemoSentenceModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        QVERIFY2(model.loadBuiltInDemoSet(&error), qPrintable(error));
        QVERIFY(model.rowCount() >= 50);
        for (int row = 0; row < model.rowCount(); ++row) {
            const auto& s = model.sentence(row);
            QVERIFY(!s.source.isEmpty());
            QVERIFY(!s.reference.isEmpty());
            QCOMPARE(s.origin, DemoSentenceModel::Origin::Demo);
        }
        const QModelIndex first = model.index(0);
        QCOMPARE(model.data(first).toString(), model.sentence(0).source);
        QCOMPARE(model.data(first, DemoSentenceModel::ReferenceRole).toString(),
                 model.sentence(0).reference);
        QVERIFY(
            model.data(first, Qt::ToolTipRole).toString().contains(model.sentence(0).reference));
    }

    void addsUserSentencesOnce() {
        DemoSentenceModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.addSentence("  ", "x", DemoSentenceModel::Origin::User), -1);
        const int row = model.addSentence(" Ich  lese gern. ", {}, DemoSentenceModel::Origin::User);
        QCOMPARE(row, 0);
        QCOMPARE(model.sentence(0).source, QStringLiteral("Ich lese gern."));
        QVERIFY(model.data(model.index(0), Qt::ToolTipRole).toString().contains("no reference"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QCOMPARE(
            model.addSentence("Ich lese gern.", "I like reading.", DemoSentenceModel::Origin::User),
            0);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.sentence(0).reference, QStringLiteral("I like reading."));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.find("Ich lese gern."), 0);
        QCOMPARE(model.find("Nicht da."), -1);
    }

    void addsACorpusInOneInsertion() {
        DemoSentenceModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addSentence("Eins.", "One.", DemoSentenceModel::Origin::User);
        moewb::ParallelCorpus corpus;
        corpus.pairs = {{"Eins.", "One."}, {"Zwei.", "Two."}, {"Drei.", "Three."}, {"Zwei.", "2."}};
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QCOMPARE(model.addCorpus(corpus, DemoSentenceModel::Origin::File), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.sentence(1).reference, QStringLiteral("Two."));
        QCOMPARE(model.sentence(2).origin, DemoSentenceModel::Origin::File);
        QCOMPARE(model.find("Drei."), 2);
        QCOMPARE(model.addCorpus(corpus, DemoSentenceModel::Origin::File), 0);
    }
};

QTEST_GUILESS_MAIN(TestDemoSentenceModel)
#include "test_DemoSentenceModel.moc"
