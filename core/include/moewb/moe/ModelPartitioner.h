#pragma once
// Applies one partition method to every FFN layer of a model.

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/moe/Profiler.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/util/Feedback.h"

#include <string>

namespace moewb {

class NmtModel;

struct ModelPartitionOptions {
    // "metis" (needs a profile), "kmeans", "importance" (needs training pairs) or "random"
    // (default metis)
    std::string method = "metis";
    int numExperts = 16;     // N experts per layer (default 16)
    uint64_t seed = 1;       // seed of METIS / k-means++ / permutation / sample (default 1)
    int sharedNeurons = 64;  // importance: neurons shared by every expert (default 64)
    int64_t importanceTokens = 4000;  // importance: tokens of the gradient sample (default 4000)
};

// `profile` may be null unless the method is "metis". Throws std::invalid_argument on an unknown
// method, a bad N, or a profile that does not belong to the model. The importance method needs
// the overload with training pairs.
PartitionSet partitionModel(NmtModel& model, const ProfileResult* profile,
                            const ModelPartitionOptions& options, Feedback& feedback);
// Same, with the real training pairs the importance method takes its gradients on (ignored by
// the other methods).
PartitionSet partitionModel(NmtModel& model, const ProfileResult* profile,
                            const std::vector<SentencePair>& trainingPairs,
                            const ModelPartitionOptions& options, Feedback& feedback);

}  // namespace moewb
