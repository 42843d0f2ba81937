#pragma once
// Routers for every FFN layer of a model over one partition: building the ExpertFfn blocks,
// collecting real FFN inputs to train and evaluate on, and the router file (versioned JSON that
// reloads to exactly the same choices).

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/Router.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/util/Feedback.h"

#include <memory>
#include <string>
#include <vector>

namespace moewb {

class NmtModel;

// The ExpertFfn of every layer for a partition set (encoder layers first).
std::vector<std::shared_ptr<ExpertFfn>> buildExperts(NmtModel& model, const PartitionSet& set);

// Inputs x [T, d] reaching each FFN on real (non-padding) tokens of `pairs`, teacher forced,
// until `tokenBudget` source + target tokens are used.
std::vector<torch::Tensor> collectFfnInputs(NmtModel& model, const std::vector<SentencePair>& pairs,
                                            int64_t tokenBudget, Feedback& feedback);

struct RouterSet {
    std::string kind;                             // "oracle", "similarity", "mlp"
    std::string partition;                        // name of the partition it routes over
    std::vector<std::shared_ptr<Router>> layers;  // one per FFN layer
    std::vector<RouterQuality> quality;           // held-out recall / mass coverage per layer
};

struct RouterTrainingOptions {
    std::string kind = "mlp";   // "oracle", "similarity" or "mlp" (default mlp)
    MlpRouterOptions mlp;       // MLP gate training (DESIGN.md §9 defaults)
    double heldOutShare = 0.1;  // tokens kept aside to measure recall and coverage (default 0.1)
};

// Builds (and for "mlp" trains) a router per layer on `inputs`, measuring quality on the held-out
// share of the tokens.
RouterSet trainRouters(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                       const std::vector<torch::Tensor>& inputs,
                       const RouterTrainingOptions& options, Feedback& feedback);

void saveRouterSet(const std::string& path, const RouterSet& set);
// Reloads; similarity routers are rebuilt from `experts`, MLP weights read back exactly.
RouterSet loadRouterSet(const std::string& path,
                        const std::vector<std::shared_ptr<ExpertFfn>>& experts);

}  // namespace moewb
