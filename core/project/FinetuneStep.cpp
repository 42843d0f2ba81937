#include "moewb/project/FinetuneStep.h"

#include "moewb/project/Project.h"
#include "moewb/util/Paths.h"

#include <torch/torch.h>

namespace moewb {
namespace {

// Rounds every weight to the nearest float16 in place: the model then equals what a float16 file
// of it holds, and runs the float16 decoding kernels as a float16 dense model does (a float32
// fine-tuned model against a float16 dense one would skew every speed-up).
void roundToHalf(NmtModel& model) {
    torch::NoGradGuard noGrad;
    for (auto& p : model.transformer()->parameters()) {
        p.copy_(p.to(torch::kHalf).to(p.scalar_type()));
    }
}

}  // namespace

std::string finetuneStepName(const FinetuneStepOptions& options) {
    return options.name.empty() ? options.partition + "-ft" : options.name;
}

FinetuneStepResult runFinetuneStep(Project& project, const FinetuneStepOptions& options,
                                   const FinetuneData& data, Feedback& feedback) {
    if (options.partition.empty()) {
        throw std::invalid_argument("choose the partition to fine-tune for");
    }
    FinetuneStepResult result;
    result.name = finetuneStepName(options);
    result.modelPath = project.modelFilePath(result.name);
    for (const auto& kind : options.routerKinds) {
        result.routerNames.push_back(result.name + "-" + kind);
        project.routerPath(result.routerNames.back());  // validates the name up front
    }
    FinetuneOptions tuning = options.tuning;
    tuning.checkpointDir = project.finetuneCheckpointDir(result.name);
    if (!tuning.resume && fileExists(tuning.checkpointDir + "/state.json")) {
        throw std::invalid_argument("finetune/" + result.name +
                                    " holds the checkpoint of an earlier run: resume it, or give "
                                    "the model another name");
    }
    const PartitionSet partition = loadPartitionSet(project.partitionPath(options.partition));
    feedback.setProgress(0.0, "loading the dense model");
    auto dense = NmtModel::load(project.modelPath());
    if (tuning.routing == TrainingRouting::Router) {
        if (options.trainingRouter.empty()) {
            throw std::invalid_argument("routing by a router: name the project's router to use");
        }
        const auto path = project.routerPath(options.trainingRouter);
        const auto header = readRouterHeader(path);
        if (header.partition != options.partition || !header.model.empty()) {
            throw std::invalid_argument(path + " does not route the dense model over partition '" +
                                        options.partition +
                                        "': choose a router built by the Routers step for it");
        }
        tuning.router =
            std::make_shared<RouterSet>(loadRouterSet(path, buildExperts(*dense, partition)));
    }
    SubFeedback tune(feedback, 0.0, 0.9);
    result.tuning = finetuneMoe(*dense, partition, data, tuning, tune);
    result.model = result.tuning.model;
    result.float16 = dense->halfWeights() != nullptr;
    dense.reset();
    if (result.float16) {
        roundToHalf(*result.model);
    }

    // Routers on the fine-tuned weights: the dense model's routers learnt other activations.
    result.experts = buildExperts(*result.model, partition);
    std::vector<torch::Tensor> inputs, ids;
    if (!options.routerKinds.empty() || !result.tuning.gate.empty()) {
        SubFeedback collect(feedback, 0.9, 0.93);
        inputs = collectFfnInputs(*result.model, data.train, options.routerTokens, collect, &ids);
    }
    for (std::size_t i = 0; i < options.routerKinds.size(); ++i) {
        RouterTrainingOptions routerOptions;
        routerOptions.kind = options.routerKinds[i];
        routerOptions.mlp.seed = options.routerSeed;
        routerOptions.hashSeed = options.routerSeed;
        const double share = 0.07 / static_cast<double>(options.routerKinds.size());
        SubFeedback train(feedback, 0.93 + share * i, 0.93 + share * (i + 1));
        auto set = std::make_shared<RouterSet>(
            trainRouters(result.experts, inputs, routerOptions, train, &ids));
        set->partition = options.partition;
        set->model = result.name;
        result.routers.push_back(set);
    }
    if (!result.tuning.gate.empty()) {
        auto set = std::make_shared<RouterSet>();
        set->kind = "gate";
        set->numExperts = result.experts.front()->numExperts();
        set->partitionHash = partitionHash(result.experts);
        for (std::size_t l = 0; l < result.tuning.gate.size(); ++l) {
            set->layers.push_back(std::make_shared<GateRouter>(result.tuning.gate[l]));
            set->quality.push_back(evaluateRouter(*set->layers[l], *result.experts[l], inputs[l]));
        }
        set->partition = options.partition;
        set->model = result.name;
        result.routers.push_back(set);
        result.routerNames.push_back(result.name + "-gate");
    }
    feedback.throwIfCancelled();
    // Written only now that everything succeeded, the model before the routers that name it.
    result.model->save(result.modelPath,
                       result.float16 ? WeightPrecision::Float16 : WeightPrecision::Float32);
    for (std::size_t i = 0; i < result.routers.size(); ++i) {
        result.routers[i]->contentHash =
            saveRouterSet(project.routerPath(result.routerNames[i]), *result.routers[i]);
    }
    project.stepOptions("finetune:" + result.name) = {
        {"partition", options.partition},
        {"layer_k", tuning.layerK},
        {"mixed_k", tuning.mixedK},
        {"kd_weight", tuning.kdWeight},
        {"ce_weight", tuning.ceWeight},
        {"mse_weight", tuning.mseWeight},
        {"routing", trainingRoutingName(tuning.routing)},
        {"training_router", options.trainingRouter},
        {"balance_weight", tuning.balanceWeight},
        {"learning_rate", tuning.learningRate},
        {"time_budget_seconds", tuning.timeBudgetSeconds},
        {"max_steps", tuning.maxSteps},
        {"seed", tuning.seed},
        {"routers", options.routerKinds},
        {"stop_reason", result.tuning.stopReason}};
    project.save();
    feedback.setProgress(1.0, "fine-tuned " + result.name);
    return result;
}

}  // namespace moewb
