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

// The ExpertFfn of every layer for a partition set (encoder layers first); shared neurons
// (importance method) are computed for every token besides the selected experts.
std::vector<std::shared_ptr<ExpertFfn>> buildExperts(NmtModel& model, const PartitionSet& set);

// Inputs x [T, d] reaching each FFN on real (non-padding) tokens of `pairs`, teacher forced,
// until `tokenBudget` source + target tokens are used. When `tokenIds` is given it receives, per
// layer, the token id of each row of that layer's x (int64 [T]; source ids for encoder layers,
// target-input ids for decoder layers), which routers keyed on the token need.
std::vector<torch::Tensor> collectFfnInputs(NmtModel& model, const std::vector<SentencePair>& pairs,
                                            int64_t tokenBudget, Feedback& feedback,
                                            std::vector<torch::Tensor>* tokenIds = nullptr);

struct RouterSet {
    std::string kind;       // "oracle", "similarity", "mlp", "hash", "gate" (from fine-tuning)
    std::string partition;  // name of the partition it routes over
    std::string model;   // project model it was trained on (models/NAME.moewb); "" = the project's
    int numExperts = 0;  // N of that partition (trainRouters and loadRouterSet fill it in)
    // partitionHash() of that partition (trainRouters fills it in); "" for version-1 files.
    std::string partitionHash;
    // The identity of the saved file (saveRouterSet returns it, loadRouterSet fills it in); sweeps
    // record it. "" for a set that was never saved.
    std::string contentHash;
    std::vector<std::shared_ptr<Router>> layers;  // one per FFN layer
    std::vector<RouterQuality> quality;           // held-out recall / mass coverage per layer
};

// partitionHash() (ArtifactFiles.h) of the partition the experts were built from.
std::string partitionHash(const std::vector<std::shared_ptr<ExpertFfn>>& experts);

struct RouterTrainingOptions {
    std::string kind = "mlp";   // "oracle", "similarity", "mlp" or "hash" (default mlp)
    MlpRouterOptions mlp;       // MLP gate training (defaults: docs/algorithms.md, "Routers")
    double heldOutShare = 0.1;  // tokens kept aside to measure recall and coverage (default 0.1)
    uint64_t hashSeed = 1;      // hash router: layer l's table uses seed hashSeed + l (default 1)
};

// Builds (and for "mlp" trains) a router per layer on `inputs`, measuring quality on the held-out
// share of the tokens. `tokenIds` (per layer, from collectFfnInputs) is required for "hash" and
// ignored otherwise; throws std::invalid_argument when a needed input is missing.
RouterSet trainRouters(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                       const std::vector<torch::Tensor>& inputs,
                       const RouterTrainingOptions& options, Feedback& feedback,
                       const std::vector<torch::Tensor>* tokenIds = nullptr);

// Router files are versioned JSON. Version 2 records the partition's expert count and content
// hash ("num_experts", "partition_hash"), both required; version-1 files still load (their
// expert count read from their recall tables); newer versions are refused.
// Writes the file atomically and returns its content hash (RouterSet::contentHash on reload).
// Throws std::invalid_argument for a set without numExperts or partitionHash (not from
// trainRouters).
std::string saveRouterSet(const std::string& path, const RouterSet& set);
// What a router file says about its parents, read before its experts exist.
struct RouterFileHeader {
    std::string kind, partition, model;
    int version = 0;
    int numExperts = 0;         // the N it routes over
    std::string partitionHash;  // "" in version-1 files
    std::string contentHash;    // the file's identity (as saveRouterSet returned it)
};
RouterFileHeader readRouterHeader(const std::string& path);
// Why the router file at `routerPath` cannot run over the partition read from `partitionPath`,
// or "" when it can: the expert counts must match and, when the file records it, the
// partition's content hash. The message names both files and the step to re-run.
std::string routerPartitionMismatch(const std::string& routerPath, const RouterFileHeader& header,
                                    const std::string& partitionPath,
                                    const PartitionSet& partition);
// Reloads; similarity routers are rebuilt from `experts`, MLP weights read back exactly, hash
// routers from their seed. Throws std::runtime_error naming the file when it is invalid or does
// not fit `experts` (another N, another partition hash, MLP weights of another shape): a router
// never picks experts that do not exist.
RouterSet loadRouterSet(const std::string& path,
                        const std::vector<std::shared_ptr<ExpertFfn>>& experts);

}  // namespace moewb
