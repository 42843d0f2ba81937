// ViewPickers: refilling the layer and partition pickers keeps the user's choice when it still
// exists, falls back to the first layer and the first real partition, offers "none" only when
// asked, skips partitions without a set, and never emits while refilling.
#include "ViewPickers.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace moewb::gui;

namespace {

std::shared_ptr<moewb::ProfileResult> profileWithLayers(const QStringList& names) {
    auto profile = std::make_shared<moewb::ProfileResult>();
    for (const QString& name : names) {
        moewb::LayerProfile layer;
        layer.name = name.toStdString();
        profile->layers.push_back(layer);
    }
    return profile;
}

PartitionEntry partition(const char* name, bool withSet = true) {
    PartitionEntry entry;
    entry.name = QString::fromLatin1(name);
    if (withSet) {
        entry.set = std::make_shared<const moewb::PartitionSet>();
    }
    return entry;
}

}  // namespace

class TestViewPickers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void layerPickerKeepsTheChosenLayerByName() {
        QComboBox box;
        QSignalSpy changed(&box, &QComboBox::currentIndexChanged);
        fillLayerPicker(&box, profileWithLayers({"encoder0", "encoder1", "decoder0"}).get());
        QCOMPARE(box.count(), 3);
        QCOMPARE(box.currentIndex(), 0);
        chooseIndex(&box, 2);
        chooseIndex(&box, 7);  // out of range: ignored
        QCOMPARE(box.currentText(), QStringLiteral("decoder0"));
        changed.clear();
        // decoder0 moved to position 0 in the new profile: still chosen, by name.
        fillLayerPicker(&box, profileWithLayers({"decoder0", "decoder1"}).get());
        QCOMPARE(box.currentText(), QStringLiteral("decoder0"));
        fillLayerPicker(&box, profileWithLayers({"encoder5", "encoder6"}).get());
        QCOMPARE(box.currentIndex(), 0);  // gone: the first layer
        QCOMPARE(changed.count(), 0);     // refilling is silent; the view rebuilds once
        fillLayerPicker(&box, nullptr);
        QCOMPARE(box.count(), 0);
    }

    void partitionPickerKeepsTheChoiceOrTakesTheFirstRealOne() {
        QComboBox withNone, without;
        const QList<PartitionEntry> partitions = {partition("metis"), partition("broken", false),
                                                  partition("kmeans")};
        fillPartitionPicker(&withNone, partitions, QStringLiteral("None"));
        fillPartitionPicker(&without, partitions);
        QCOMPARE(withNone.count(), 3);  // none, metis, kmeans: no set, no item
        QCOMPARE(without.count(), 2);
        QCOMPARE(withNone.currentData().toString(), QStringLiteral("metis"));
        QCOMPARE(without.currentData().toString(), QStringLiteral("metis"));
        QCOMPARE(withNone.itemData(0).toString(), QString());

        chooseData(&withNone, QStringLiteral("kmeans"));
        chooseData(&withNone, QStringLiteral("unknown"));  // ignored
        QCOMPARE(withNone.currentData().toString(), QStringLiteral("kmeans"));
        fillPartitionPicker(&withNone, {partition("random"), partition("kmeans")},
                            QStringLiteral("None"));
        QCOMPARE(withNone.currentData().toString(), QStringLiteral("kmeans"));
        fillPartitionPicker(&withNone, {partition("random")}, QStringLiteral("None"));
        QCOMPARE(withNone.currentData().toString(), QStringLiteral("random"));
        fillPartitionPicker(&withNone, {}, QStringLiteral("None"));
        QCOMPARE(withNone.count(), 1);
        QCOMPARE(withNone.currentIndex(), 0);  // only "none" is left
    }
};

QTEST_MAIN(TestViewPickers)
#include "test_ViewPickers.moc"
