// The router-file readers, readRouterHeader() and loadRouterSet(), over the tiny experts of
// TinyArtifacts.h. A router set that loads must route: every layer scores a few tokens, through
// LibTorch and through the decode-size kernels.
#include "FuzzSupport.h"
#include "TinyArtifacts.h"

#include "moewb/moe/RouterSet.h"

#include <ATen/Parallel.h>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    at::set_num_threads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    static const auto experts = fuzz::tinyExperts(fuzz::tinyPartitionSet());
    const std::string path = fuzz::writeScratch("router.json", data, size);
    fuzz::expectCleanErrors(path, [&] { (void)readRouterHeader(path); });
    fuzz::expectCleanErrors(path, [&] {
        const RouterSet set = loadRouterSet(path, experts);
        const auto x = torch::randn({3, fuzz::kDModel});
        const auto ids = torch::tensor({5, 0, 7}, torch::kLong);
        const int64_t idRows[3] = {5, 0, 7};
        if (set.layers.size() != experts.size() || set.quality.size() != experts.size()) {
            fuzz::fail("loadRouterSet returned another number of layers than the experts'");
        }
        for (std::size_t l = 0; l < set.layers.size(); ++l) {
            if (set.quality[l].recall.size() != fuzz::kExperts ||
                set.quality[l].massCoverage.size() != fuzz::kExperts) {
                fuzz::fail("router quality figures do not cover K = 1 to N");
            }
            const auto& router = *set.layers[l];
            const auto scores = router.scores(x, *experts[l], ids);
            if (scores.dim() != 2 || scores.size(0) != 3 || scores.size(1) != fuzz::kExperts) {
                fuzz::fail("router layer " + std::to_string(l) + " scores have the wrong shape");
            }
            std::vector<float> rows(3 * fuzz::kExperts);
            router.scoreRows(x.data_ptr<float>(), 3, *experts[l], idRows, rows.data());
            router.massShares(rows.data(), fuzz::kExperts);
        }
    });
    return 0;
}
