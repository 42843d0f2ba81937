#pragma once
// The share of the dense FFN multiply-adds a fixed K will cost, known before anything runs (for a
// label beside a K slider). MoeCompute (MoeLayer.h) counts what did run; this is the same count
// per token: W1 and W2 of the shared neurons and of K experts, plus the router's scoring, over
// W1 and W2 of all d_ff neurons (docs/moe-quality.md, "Compute").

#include <memory>
#include <vector>

namespace moewb {

class ExpertFfn;
class Router;

// Per layer (2·d·(s + K·m) + router) / (2·d·d_ff), averaged over the layers (each layer sees every
// token of its side; encoder and decoder are weighted alike). `routers` may be empty (no router
// cost) or hold one router per layer. K is clamped to 1..N; K = N counts 1 (the dense FFN runs,
// no router). Throws std::invalid_argument when
// `experts` is empty or the router count differs from the layer count.
double plannedComputeFraction(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                              const std::vector<std::shared_ptr<Router>>& routers, int k);

}  // namespace moewb
