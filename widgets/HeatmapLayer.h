#pragma once
// What the co-activation heatmap (CoActivationHeatmap.h) draws for one FFN layer: the neuron
// order of a partition, the within-expert share and the two colour maps of log10(count). A
// 1024 × 1024 layer is a million cells, so the view computes this on a worker and only hands the
// finished maps to its plots on the GUI thread.

#include "WorkbenchData.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

class QCPColorMapData;
namespace moewb {
class Feedback;
}

namespace moewb::gui {

struct HeatmapLayer {
    HeatmapLayer();
    ~HeatmapLayer();
    HeatmapLayer(HeatmapLayer&&) noexcept;
    HeatmapLayer& operator=(HeatmapLayer&&) noexcept;

    int layer = -1;             // index into the profile's layers
    int dFf = 0;                // neurons of the layer
    std::vector<int> order;     // display position → neuron (identity without a partition)
    std::vector<int> expertOf;  // neuron → expert (-1 shared / none)
    std::vector<int> expertAt;  // display position → expert (-1 shared / none)
    int numExperts = 0;         // of the partition shown (0 without one)
    int expertSize = 0;         // neurons per expert (0 without a partition)
    double intraShare = 0.0;    // within-expert share of the co-activation (NaN without one)
    QString info;               // the line above the map: sizes, share, or why not ordered
    int64_t peak = 1;           // the largest count (a neuron's own): the top of the scale
    // log10(count) per cell (NaN for 0): in `order`, and in the neurons' own order (null when
    // the two are the same, without a partition).
    std::unique_ptr<QCPColorMapData> ordered;
    std::unique_ptr<QCPColorMapData> original;
};

// Layer `layer` of `profile`, reordered by `partition` (null: the original order). A partition
// that does not fit the layer leaves the original order and says why in `info`. Checks
// `feedback` for cancellation while filling the maps.
HeatmapLayer prepareHeatmapLayer(const moewb::ProfileResult& profile, int layer,
                                 const moewb::PartitionSet* partition, const QString& partitionName,
                                 moewb::Feedback& feedback);

}  // namespace moewb::gui
