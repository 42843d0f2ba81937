#include "GraphvizLayout.h"

#include "ExpertGraphView.h"

#include <QByteArray>

#include <mutex>

// Last: Graphviz's C headers define short macros (ND_coord, …) that must not reach other headers.
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

namespace moewb::gui {

namespace {

// cgraph 2.43 takes char* for names and values it only reads (newer versions take const char*).
char* gvText(const char* text) {
    return const_cast<char*>(text);
}

void setNumber(Agedge_t* edge, const char* name, double value) {
    QByteArray text = QByteArray::number(value);
    agsafeset(edge, gvText(name), text.data(), gvText("1"));
}

// One Graphviz context for the process, made on first use and kept: Graphviz 2.43 loses memory
// in every gvFreeContext (LeakSanitizer saw 2 KB per layout with a context per call), and its
// text plugin reads freed memory when a later context lays out labels. Graphviz is not
// thread-safe; the mutex keeps layouts one at a time. (Edges carry no "weight": neato's default
// stress mode ignores it, giving the same positions, and reading it lost 256 bytes per layout.)
GVC_t* sharedContext() {
    static GVC_t* context = gvContext();
    return context;
}
std::mutex& layoutMutex() {
    static std::mutex mutex;
    return mutex;
}

}  // namespace

std::vector<QPointF> graphvizLayout(int n, const std::vector<double>& weights, QString* error) {
    const std::lock_guard<std::mutex> lock(layoutMutex());
    GVC_t* const context = sharedContext();
    if (!context) {
        *error = ExpertGraphView::tr("Graphviz could not start (is libgvc installed?)");
        return {};
    }
    Agraph_t* graph = agopen(gvText("experts"), Agundirected, nullptr);
    agattr(graph, AGRAPH, gvText("overlap"), gvText("false"));
    agattr(graph, AGRAPH, gvText("splines"), gvText("false"));
    agattr(graph, AGNODE, gvText("shape"), gvText("circle"));
    agattr(graph, AGNODE, gvText("fixedsize"), gvText("true"));
    agattr(graph, AGNODE, gvText("width"), gvText("0.5"));
    agattr(graph, AGNODE, gvText("label"), gvText(""));
    agattr(graph, AGEDGE, gvText("len"), gvText("1"));
    std::vector<Agnode_t*> nodes;
    for (int e = 0; e < n; ++e) {
        nodes.push_back(agnode(graph, QByteArray::number(e).data(), 1));
    }
    for (int e = 0; e < n; ++e) {
        for (int f = e + 1; f < n; ++f) {
            const double w = weights[std::size_t(e) * n + f];
            if (w <= 0.0) {
                continue;
            }
            Agedge_t* edge = agedge(graph, nodes[e], nodes[f], nullptr, 1);
            setNumber(edge, "len", 0.7 + 2.3 * (1.0 - w));
        }
    }
    std::vector<QPointF> positions;
    if (gvLayout(context, graph, gvText("neato")) != 0) {
        *error = ExpertGraphView::tr("Graphviz could not lay out the graph (neato failed)");
    } else {
        for (Agnode_t* node : nodes) {
            positions.emplace_back(ND_coord(node).x, ND_coord(node).y);
        }
        gvFreeLayout(context, graph);
    }
    agclose(graph);
    return positions;
}

}  // namespace moewb::gui
