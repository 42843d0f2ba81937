#pragma once
// A saved MoE ready to run: a router file, the partition it routes over and the model its experts
// are cut from (the project's model, or the fine-tuned model the router was trained on). The CLI
// commands, the benches and the sweep step load it here, so the parent checks (ArtifactLineage.h)
// and the fine-tuned-model rule (docs/moe-quality.md, "Fine-tuning with distillation") live in
// one place.

#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/moe/RouterSet.h"

#include <memory>
#include <string>
#include <vector>

namespace moewb {

class NmtModel;
class Project;

struct ProjectMoe {
    std::string routerName;     // the router's artifact name ("" for files outside a project)
    std::string partitionName;  // the partition it routes over
    std::string routerPath, partitionPath;
    // The model the experts are cut from and the MoE runs: the fine-tuned model when the router
    // was trained on one (then `fineTuned`), else the dense model given to the loader.
    std::shared_ptr<NmtModel> model;
    bool fineTuned = false;
    std::string modelPath;  // the fine-tuned model's file; "" when the MoE runs the given model
    std::vector<std::shared_ptr<ExpertFfn>> experts;  // one per FFN layer, encoder first
    std::shared_ptr<const RouterSet> routers;

    int numExperts() const { return experts.empty() ? 0 : experts.front()->numExperts(); }
};

// The project's router NAME with its partition and model. `dense` is the project's model (already
// loaded by the caller); a router trained on a fine-tuned model loads models/<model>.moewb
// instead. Throws std::runtime_error naming both files and the step to re-run when the router
// does not fit its partition (another N or another split), or a file is missing or damaged.
ProjectMoe loadProjectMoe(const Project& project, const std::string& routerName,
                          std::shared_ptr<NmtModel> dense);

// The same for a partition file and a router file anywhere (the shipped MoE), run on `model`.
ProjectMoe loadMoeFiles(const std::string& partitionPath, const std::string& routerPath,
                        std::shared_ptr<NmtModel> model);

}  // namespace moewb
