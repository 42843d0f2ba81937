#include "HeatmapLayer.h"

#include "CoActivationHeatmap.h"

#include "moewb/moe/MetisPartitioner.h"
#include "moewb/util/Feedback.h"

#include "QCustomPlotHeader.h"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace moewb::gui {

namespace {

// The partition's layer for a profile layer; null with `problem` set when it does not fit.
const moewb::ExpertPartition* partitionLayer(const moewb::PartitionSet& set,
                                             const moewb::LayerProfile& profileLayer, int layer,
                                             const QString& partitionName, QString* problem) {
    const moewb::ExpertPartition* partition = partitionLayerOf(set, profileLayer, layer);
    if (!partition) {
        *problem = CoActivationHeatmap::tr(
                       "Partition “%1” does not fit layer %2 (d_ff %3); showing the original "
                       "order. Re-run the Partition step for this model.")
                       .arg(partitionName, QString::fromStdString(profileLayer.name))
                       .arg(profileLayer.dFf);
    }
    return partition;
}

// The cells of one map: log10 of the counts, rows and columns in `order` (or the neurons' own).
std::unique_ptr<QCPColorMapData> fillMap(const moewb::LayerProfile& layer,
                                         const std::vector<int>* order, moewb::Feedback& feedback) {
    const int n = layer.dFf;
    auto data = std::make_unique<QCPColorMapData>(n, n, QCPRange(0, n - 1), QCPRange(0, n - 1));
    // Counts never exceed the layer's token count, so log10 comes from a table instead of a
    // million calls.
    std::vector<double> log10Of(std::size_t(std::max<int64_t>(layer.tokens, 1) + 1));
    log10Of[0] = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t c = 1; c < log10Of.size(); ++c) {
        log10Of[c] = std::log10(double(c));
    }
    for (int row = 0; row < n; ++row) {
        if (row % 64 == 0) {
            feedback.throwIfCancelled();
        }
        const int i = order ? (*order)[std::size_t(row)] : row;
        const int64_t* counts = layer.coActivation.data() + std::size_t(i) * n;
        for (int column = 0; column < n; ++column) {
            const int j = order ? (*order)[std::size_t(column)] : column;
            const int64_t count = std::clamp<int64_t>(counts[j], 0, int64_t(log10Of.size()) - 1);
            data->setCell(column, row, log10Of[std::size_t(count)]);
        }
    }
    return data;
}

}  // namespace

HeatmapLayer::HeatmapLayer() = default;
HeatmapLayer::~HeatmapLayer() = default;
HeatmapLayer::HeatmapLayer(HeatmapLayer&&) noexcept = default;
HeatmapLayer& HeatmapLayer::operator=(HeatmapLayer&&) noexcept = default;

HeatmapLayer prepareHeatmapLayer(const moewb::ProfileResult& profile, int layerIndex,
                                 const moewb::PartitionSet* set, const QString& partitionName,
                                 moewb::Feedback& feedback) {
    const moewb::LayerProfile& layer = profile.layers.at(std::size_t(layerIndex));
    const int n = layer.dFf;
    HeatmapLayer out;
    out.layer = layerIndex;
    out.dFf = n;
    QString problem;
    const moewb::ExpertPartition* partition =
        set ? partitionLayer(*set, layer, layerIndex, partitionName, &problem) : nullptr;
    out.numExperts = partition ? partition->numExperts : 0;
    out.expertSize = partition ? partition->expertSize() : 0;
    if (partition) {
        out.order = partition->permutation();
        out.expertOf = partition->expertOf();
    } else {
        out.order.resize(std::size_t(n));
        std::iota(out.order.begin(), out.order.end(), 0);
        out.expertOf.assign(std::size_t(n), -1);
    }
    out.expertAt.resize(out.order.size());
    for (std::size_t p = 0; p < out.order.size(); ++p) {
        out.expertAt[p] = out.expertOf[std::size_t(out.order[p])];
    }

    // Within-expert share of the off-diagonal co-activation, against what a random split of the
    // same sizes would give (the share of neuron pairs that fall inside one expert).
    const QLocale locale;
    out.info = CoActivationHeatmap::tr("%1: %2 neurons over %3 tokens")
                   .arg(QString::fromStdString(layer.name), locale.toString(n),
                        locale.toString(qlonglong(layer.tokens)));
    out.intraShare = std::numeric_limits<double>::quiet_NaN();
    if (partition) {
        // The partitioners' own quality figure, so the view and `moewb partition` agree.
        out.intraShare = moewb::intraExpertShare(
            Eigen::Map<const moewb::CoActivationMatrix>(layer.coActivation.data(), n, n),
            *partition);
        const double m = out.expertSize;
        const double randomShare =
            n > 1 ? out.numExperts * m * (m - 1.0) / (double(n) * (n - 1)) : 0;
        out.info += CoActivationHeatmap::tr(
                        "; %1 experts of %2 — within-expert co-activation %3% (a random split "
                        "gives about %4%)")
                        .arg(out.numExperts)
                        .arg(out.expertSize)
                        .arg(locale.toString(100.0 * out.intraShare, 'f', 1),
                             locale.toString(100.0 * randomShare, 'f', 1));
    }
    if (!problem.isEmpty()) {
        out.info += QStringLiteral("\n") + problem;
    }
    for (int64_t count : layer.activations) {
        out.peak = std::max(out.peak, count);
    }
    out.ordered = fillMap(layer, partition ? &out.order : nullptr, feedback);
    if (partition) {
        out.original = fillMap(layer, nullptr, feedback);
    }
    return out;
}

}  // namespace moewb::gui
