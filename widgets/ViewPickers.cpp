#include "ViewPickers.h"

#include <QComboBox>
#include <QSignalBlocker>

#include <algorithm>

namespace moewb::gui {

void fillLayerPicker(QComboBox* box, const moewb::ProfileResult* profile) {
    const QString previous = box->currentText();
    const QSignalBlocker blocker(box);
    box->clear();
    if (!profile) {
        return;
    }
    for (const auto& layer : profile->layers) {
        box->addItem(QString::fromStdString(layer.name));
    }
    box->setCurrentIndex(std::max(0, box->findText(previous)));
}

void fillPartitionPicker(QComboBox* box, const QList<PartitionEntry>& partitions,
                         const QString& noneText) {
    const QString previous = box->currentData().toString();
    const QSignalBlocker blocker(box);
    box->clear();
    if (!noneText.isEmpty()) {
        box->addItem(noneText, QString());
    }
    for (const PartitionEntry& entry : partitions) {
        if (entry.set) {
            box->addItem(entry.name, entry.name);
        }
    }
    // Experts are the point of both views: the first real partition unless the user's choice
    // still exists.
    const int kept = previous.isEmpty() ? -1 : box->findData(previous);
    const int firstReal = noneText.isEmpty() ? 0 : std::min(1, box->count() - 1);
    box->setCurrentIndex(kept >= 0 ? kept : firstReal);
}

std::shared_ptr<const moewb::PartitionSet> chosenPartitionSet(
    const QComboBox* box, const QList<PartitionEntry>& partitions) {
    const QString name = box->currentData().toString();
    for (const PartitionEntry& entry : partitions) {
        if (!name.isEmpty() && entry.name == name) {
            return entry.set;
        }
    }
    return nullptr;
}

void chooseIndex(QComboBox* box, int index) {
    if (index >= 0 && index < box->count()) {
        box->setCurrentIndex(index);
    }
}

void chooseData(QComboBox* box, const QString& name) {
    const int index = box->findData(name);
    if (index >= 0) {
        box->setCurrentIndex(index);
    }
}

}  // namespace moewb::gui
