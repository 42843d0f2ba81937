#pragma once
// Layout of the expert graph with Graphviz neato, kept apart from the view so Graphviz's C
// macros stay in one translation unit.

#include <QPointF>
#include <QString>

#include <vector>

namespace moewb::gui {

// Places n nodes with Graphviz neato (stress majorisation). Each pair with co-activation gets an
// edge whose ideal length shrinks from 3 to 0.7 inch as its weight (weights[e * n + f], in
// [0, 1]) grows, so strongly linked experts end up close. Returns positions in points, or empty
// with *error set.
std::vector<QPointF> graphvizLayout(int n, const std::vector<double>& weights, QString* error);

}  // namespace moewb::gui
