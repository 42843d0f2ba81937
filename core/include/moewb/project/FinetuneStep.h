#pragma once
// The project's "Fine-tune" step, one workflow for the CLI (`moewb finetune`) and the GUI (step
// 7): fine-tune the project's model for a partition (MoeFinetuner.h), keep the dense model's
// precision, train routers on the fine-tuned model, and only then write
// PROJECT/models/NAME.moewb and PROJECT/routers/NAME-<kind>.json (and NAME-gate.json, the gate
// of joint-gate routing, with its quality measured like the others'). A cancelled or failed run
// writes neither (its checkpoint in PROJECT/finetune/NAME/ stays, for a resume).

#include "moewb/moe/MoeFinetuner.h"
#include "moewb/moe/RouterSet.h"

#include <memory>
#include <string>
#include <vector>

namespace moewb {

class Project;

struct FinetuneStepOptions {
    std::string partition;                        // partition name in the project (required)
    std::string name;                             // model name; empty = "<partition>-ft"
    FinetuneOptions tuning;                       // checkpointDir is set by the step (default {})
    std::vector<std::string> routerKinds{"mlp"};  // routers to train on the result (default mlp)
    int64_t routerTokens = 20000;  // training tokens whose FFN inputs train them (default 20000)
    uint64_t routerSeed = 1;       // seed of router training (default 1)
    // Router routing: the project's router that chooses the experts while training (its
    // partition must be `partition`); ignored otherwise (default "").
    std::string trainingRouter;
};

struct FinetuneStepResult {
    std::string name;                 // the model's name in the project
    std::string modelPath;            // PROJECT/models/NAME.moewb
    FinetuneResult tuning;            // curve, stop reason, time
    std::shared_ptr<NmtModel> model;  // the fine-tuned model as saved
    bool float16 = false;             // saved with float16 weights (the dense model's precision)
    std::vector<std::shared_ptr<ExpertFfn>> experts;  // of the fine-tuned model
    std::vector<std::string> routerNames;             // NAME-<kind> per routerKinds, then NAME-gate
    std::vector<std::shared_ptr<RouterSet>> routers;  // trained, saved, model = NAME
};

// The model name a step with these options writes.
std::string finetuneStepName(const FinetuneStepOptions& options);

// Runs the step; records its options in project.json. Throws std::invalid_argument for bad
// options (missing partition, a checkpoint present without tuning.resume), OperationCancelled
// when cancelled.
FinetuneStepResult runFinetuneStep(Project& project, const FinetuneStepOptions& options,
                                   const FinetuneData& data, Feedback& feedback);

}  // namespace moewb
