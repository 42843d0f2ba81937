#pragma once
// The layer and partition pickers that the co-activation heatmap and the expert graph share:
// refilled when the project's profile or partitions change, keeping the user's choice when it
// still exists. Signals are blocked while refilling; the caller rebuilds once afterwards.

#include "WorkbenchData.h"

#include <QList>
#include <QString>

#include <memory>

class QComboBox;

namespace moewb::gui {

// One item per profile layer (none for a null profile); keeps the chosen layer by name, else the
// first.
void fillLayerPicker(QComboBox* box, const moewb::ProfileResult* profile);

// One item per partition that has a set, its name as the item's data, after a "none" item with
// empty data when `noneText` is given. Keeps the chosen partition, else takes the first real one.
void fillPartitionPicker(QComboBox* box, const QList<PartitionEntry>& partitions,
                         const QString& noneText = {});

// The set of the partition chosen in `box` (null for "none", or a name no longer listed).
std::shared_ptr<const moewb::PartitionSet> chosenPartitionSet(
    const QComboBox* box, const QList<PartitionEntry>& partitions);

// Chooses item `index` / the item whose data is `name`; out-of-range or unknown ones are ignored.
void chooseIndex(QComboBox* box, int index);
void chooseData(QComboBox* box, const QString& name);

}  // namespace moewb::gui
