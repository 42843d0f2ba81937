#include "CliSupport.h"
#include "Commands.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/TorchRuntime.h"
#include "moewb/workflow/ProjectSteps.h"

#include <cstdio>
#include <iostream>

namespace moewb::cli {

int runRouteCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"partition", "router", "kind", "tokens", "epochs", "seed", "src", "tgt",
                          "ding-path", "name", "threads"},
                         {"help"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb route PROJECT --partition NAME\n"
               "                   [--router|--kind mlp|similarity|oracle|hash] [--tokens 20000]\n"
               "                   [--epochs 30] [--seed 1] [--src F --tgt F] [--name N]\n"
               "Builds a router per FFN layer over a saved partition (training the MLP gate on\n"
               "real FFN inputs; hash: a seeded table from token id to experts), reports\n"
               "held-out recall@K and mass coverage, and saves PROJECT/routers/NAME.json\n"
               "(default NAME: <partition>-<router>).\n";
        return 0;
    }
    requirePositional(args, "route", {"PROJECT"});
    if (!args.has("partition")) {
        throw UsageError("--partition NAME is required (see PROJECT/partitions/)");
    }
    configureTorchThreads(threadsOption(args));
    RouteStepOptions options;
    options.partition = args.value("partition");
    RouterTrainingOptions& training = options.training;
    if (args.has("router") && args.has("kind")) {
        throw UsageError("give the router kind once: --router and --kind are the same option");
    }
    training.kind = args.value("router", args.value("kind", training.kind));
    training.mlp.epochs = args.intValue("epochs", training.mlp.epochs, 1, 10000);
    training.mlp.seed = static_cast<uint64_t>(args.intValue("seed", 1, 0, kMaxSeed));
    training.hashSeed = training.mlp.seed;
    options.tokens = args.intValue("tokens", 20000, 1, kMaxTokens);
    options.name = args.value("name");
    options.data.source = trainingSource(args);
    auto project = Project::open(args.positional()[0]);
    auto model = NmtModel::load(project.modelPath());
    ConsoleFeedback feedback;
    const auto step = runRouteStep(project, *model, options, feedback);
    project.stepOptions(step.stepKey) = step.stepOptions;
    project.save();
    const RouterSet& set = *step.set;
    const std::string& partition = options.partition;
    const int n = set.numExperts;
    std::printf("held-out recall@K / mass coverage (%s router over %s)\n", training.kind.c_str(),
                partition.c_str());
    std::printf("%-10s", "layer");
    for (int k = 1; k <= n; k *= 2) {
        std::printf("   K=%-2d         ", k);
    }
    std::printf("\n");
    for (std::size_t l = 0; l < set.quality.size(); ++l) {
        std::printf("%-10s",
                    l < static_cast<std::size_t>(model->config().encoderLayers)
                        ? ("encoder" + std::to_string(l)).c_str()
                        : ("decoder" + std::to_string(l - model->config().encoderLayers)).c_str());
        for (int k = 1; k <= n; k *= 2) {
            std::printf("   %.3f / %.3f", set.quality[l].recall[k - 1],
                        set.quality[l].massCoverage[k - 1]);
        }
        std::printf("\n");
    }
    const int quarter = std::max(1, n / 4);
    std::printf(
        "expert load at K = %d (coefficient of variation of the share of tokens per "
        "expert; 0 = even):",
        quarter);
    for (const auto& q : set.quality) {
        std::printf(" %.2f", q.loadCv.at(static_cast<std::size_t>(quarter - 1)));
    }
    std::printf("\nsaved %s\n", step.path.c_str());
    std::fflush(stdout);
    printStaleArtifactNotes(project);
    return 0;
}

}  // namespace moewb::cli
