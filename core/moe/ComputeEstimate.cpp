#include "moewb/moe/ComputeEstimate.h"

#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/Router.h"

#include <algorithm>
#include <stdexcept>

namespace moewb {

double plannedComputeFraction(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                              const std::vector<std::shared_ptr<Router>>& routers, int k) {
    if (experts.empty()) {
        throw std::invalid_argument("plannedComputeFraction: no expert layers");
    }
    if (!routers.empty() && routers.size() != experts.size()) {
        throw std::invalid_argument("plannedComputeFraction: " + std::to_string(routers.size()) +
                                    " routers for " + std::to_string(experts.size()) + " layers");
    }
    double sum = 0;
    for (std::size_t l = 0; l < experts.size(); ++l) {
        const ExpertFfn& e = *experts[l];
        const double d = e.dModel(), m = e.expertSize(), shared = e.sharedSize();
        const int kept = std::clamp(k, 1, e.numExperts());
        if (kept == e.numExperts()) {
            sum += 1.0;  // all experts: MoeLayer runs the dense FFN and no router
            continue;
        }
        const double dense = 2 * d * (shared + m * e.numExperts());
        const double router = routers.empty() ? 0.0 : double(routers[l]->flopsPerToken(e));
        sum += (2 * d * (shared + m * kept) + router) / dense;
    }
    return sum / static_cast<double>(experts.size());
}

}  // namespace moewb
