// The partition reader, loadPartitionSet(). Every layer that loads goes on the way the workbench
// uses it: validated against its d_ff, then permuted and cut into experts when it is valid.
#include "FuzzSupport.h"
#include "TinyArtifacts.h"

#include "moewb/project/ArtifactFiles.h"

#include <ATen/Parallel.h>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    at::set_num_threads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    static const FeedForward ffn(fuzz::kDModel, fuzz::kDFf);
    const std::string path = fuzz::writeScratch("partition.json", data, size);
    PartitionSet set;
    fuzz::expectCleanErrors(path, [&] { set = loadPartitionSet(path); });
    for (const auto& layer : set.layers) {
        // validate() leaves the file name to its caller: its message names the problem.
        fuzz::expectCleanErrors("", [&] {
            layer.validate(fuzz::kDFf);
            (void)layer.permutation();
            (void)layer.expertOf();
            const ExpertFfn experts(*ffn, layer);
            (void)experts.dense(torch::ones({2, fuzz::kDModel}));
        });
    }
    return 0;
}
