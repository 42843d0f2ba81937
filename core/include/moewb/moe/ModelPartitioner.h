#pragma once
// Applies one partition method to every FFN layer of a model.

#include "moewb/moe/Profiler.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/util/Feedback.h"

#include <string>

namespace moewb {

class NmtModel;

struct ModelPartitionOptions {
    std::string method =
        "metis";          // "metis" (needs a profile), "kmeans" or "random" (default metis)
    int numExperts = 16;  // N experts per layer (default 16)
    uint64_t seed = 1;    // seed of METIS / k-means++ / the permutation (default 1)
};

// `profile` may be null unless the method is "metis". Throws std::invalid_argument on an unknown
// method, a bad N, or a profile that does not belong to the model.
PartitionSet partitionModel(NmtModel& model, const ProfileResult* profile,
                            const ModelPartitionOptions& options, Feedback& feedback);

}  // namespace moewb
