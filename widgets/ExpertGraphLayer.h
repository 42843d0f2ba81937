#pragma once
// What the expert graph (ExpertGraphView.h) draws for one FFN layer: the experts' sizes and
// activation mass, the expert × expert co-activation weights and the Graphviz positions. Summing
// a 1024 × 1024 co-activation matrix and running neato take tens of milliseconds, so the view
// computes this on a worker and only puts the finished nodes and edges on its plot.

#include "WorkbenchData.h"

#include <QPointF>
#include <QString>

#include <vector>

namespace moewb {
class Feedback;
}

namespace moewb::gui {

struct ExpertGraphLayer {
    int layer = -1;                  // index into the profile's layers
    int numExperts = 0;              // nodes
    int expertSize = 0;              // neurons per expert, shared ones aside
    int sharedNeurons = 0;           // neurons in every expert (not drawn)
    std::vector<int> neurons;        // neurons per expert
    std::vector<double> mass;        // activation mass per expert (Σ counts of its neurons)
    std::vector<double> weights;     // [N × N] co-activation, the strongest pair 1, diagonal 0
    std::vector<QPointF> positions;  // layout coordinates in points
    QString layoutProblem;           // why the nodes sit on a circle, empty when laid out
};

// The graph of `partition`'s experts on profile layer `layer`. W_ef = Σ_{i∈e, j∈f} C_ij over the
// experts' own neurons (shared neurons belong to every expert and link none), normalised to the
// strongest pair; positions from graphvizLayout(), or a circle when Graphviz fails. Checks
// `feedback` for cancellation between the stages.
ExpertGraphLayer prepareExpertGraphLayer(const moewb::LayerProfile& profileLayer, int layer,
                                         const moewb::ExpertPartition& partition,
                                         moewb::Feedback& feedback);

}  // namespace moewb::gui
