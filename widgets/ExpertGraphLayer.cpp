#include "ExpertGraphLayer.h"

#include "ExpertGraphView.h"
#include "GraphvizLayout.h"

#include "moewb/util/Feedback.h"

#include <algorithm>
#include <cmath>

namespace moewb::gui {

namespace {

// One pass over C: each row adds into its expert's row of the expert × expert sums.
void sumCoActivation(const moewb::LayerProfile& profileLayer,
                     const moewb::ExpertPartition& partition, ExpertGraphLayer& graph,
                     moewb::Feedback& feedback) {
    const int n = profileLayer.dFf;
    const int experts = partition.numExperts;
    const std::vector<int> expertOf = partition.expertOf();
    std::vector<double> sums(std::size_t(experts) * experts, 0.0);
    graph.mass.assign(std::size_t(experts), 0.0);
    graph.neurons.assign(std::size_t(experts), 0);
    for (int e = 0; e < experts; ++e) {
        graph.neurons[std::size_t(e)] = int(partition.experts[std::size_t(e)].size());
    }
    for (int i = 0; i < n; ++i) {
        if (i % 128 == 0) {
            feedback.throwIfCancelled();
        }
        const int e = expertOf[std::size_t(i)];
        if (e < 0) {
            continue;  // shared: in every expert, so it links none
        }
        graph.mass[std::size_t(e)] += double(profileLayer.activations[std::size_t(i)]);
        const int64_t* row = profileLayer.coActivation.data() + std::size_t(i) * n;
        double* into = sums.data() + std::size_t(e) * experts;
        for (int j = 0; j < n; ++j) {
            const int f = expertOf[std::size_t(j)];
            if (f >= 0) {
                into[f] += double(row[j]);
            }
        }
    }
    double strongest = 0.0;
    for (int e = 0; e < experts; ++e) {
        sums[std::size_t(e) * experts + e] = 0.0;
        for (int f = 0; f < experts; ++f) {
            strongest = std::max(strongest, sums[std::size_t(e) * experts + f]);
        }
    }
    graph.weights.assign(sums.size(), 0.0);
    for (std::size_t k = 0; k < sums.size(); ++k) {
        graph.weights[k] = strongest > 0.0 ? sums[k] / strongest : 0.0;
    }
}

}  // namespace

ExpertGraphLayer prepareExpertGraphLayer(const moewb::LayerProfile& profileLayer, int layer,
                                         const moewb::ExpertPartition& partition,
                                         moewb::Feedback& feedback) {
    ExpertGraphLayer graph;
    graph.layer = layer;
    graph.numExperts = partition.numExperts;
    graph.expertSize = partition.expertSize();
    graph.sharedNeurons = int(partition.shared.size());
    sumCoActivation(profileLayer, partition, graph, feedback);
    feedback.throwIfCancelled();
    graph.positions = graphvizLayout(graph.numExperts, graph.weights, &graph.layoutProblem);
    if (graph.positions.size() != std::size_t(graph.numExperts)) {
        // Without a layout the experts still show, evenly on a circle.
        graph.layoutProblem += ExpertGraphView::tr(" — experts are placed on a circle instead.");
        graph.positions.clear();
        for (int e = 0; e < graph.numExperts; ++e) {
            const double angle = 2.0 * M_PI * e / std::max(1, graph.numExperts);
            graph.positions.emplace_back(150.0 * std::cos(angle), 150.0 * std::sin(angle));
        }
    }
    return graph;
}

}  // namespace moewb::gui
