#include "CliSupport.h"
#include "Commands.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/TorchRuntime.h"
#include "moewb/workflow/ProjectSteps.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace moewb::cli {

int runPartitionCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"method", "experts", "seed", "name", "threads", "shared", "tokens", "src",
                          "tgt", "tsv", "ding-path"},
                         {"help"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb partition PROJECT [--method metis|kmeans|importance|random]\n"
               "                       [--experts 16] [--seed 1] [--name NAME]\n"
               "                       [--shared 64] [--tokens 4000]\n"
               "                       [--src F --tgt F | --tsv F | --ding-path F]\n"
               "Splits every FFN layer's neurons into N equal experts and saves them as\n"
               "PROJECT/partitions/NAME.json (NAME defaults to the method). metis needs the\n"
               "profile step first. importance (MoEBERT) ranks neurons by a first-order Taylor\n"
               "estimate of the loss change on --tokens training tokens (default: the Ding\n"
               "dictionary's sentence train split), keeps the --shared most important in every\n"
               "expert and deals the rest round-robin.\n";
        return 0;
    }
    requirePositional(args, "partition", {"PROJECT"});
    configureTorchThreads(threadsOption(args));
    PartitionStepOptions options;
    ModelPartitionOptions& partition = options.partition;
    partition.method = args.value("method", partition.method);
    const auto& methods = partitionMethods();
    if (std::find(methods.begin(), methods.end(), partition.method) == methods.end()) {
        throw UsageError("--method is metis, kmeans, importance or random, not '" +
                         partition.method + "'");
    }
    partition.numExperts = args.intValue("experts", partition.numExperts, 2, 4096);
    partition.seed = static_cast<uint64_t>(args.intValue("seed", 1, 0, kMaxSeed));
    partition.sharedNeurons = args.intValue("shared", partition.sharedNeurons, 0, 65536);
    partition.importanceTokens =
        args.intValue("tokens", static_cast<int>(partition.importanceTokens), 1, kMaxTokens);
    options.name = args.value("name");
    options.data.source = trainingSource(args);
    auto project = Project::open(args.positional()[0]);
    auto model = NmtModel::load(project.modelPath());
    // The method, the name and N (with the shared neurons) against this model's d_ff: a usage
    // error before any work.
    try {
        validatePartitionStep(*model, options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    ConsoleFeedback feedback;
    const auto step = runPartitionStep(project, *model, options, feedback);
    project.stepOptions(step.stepKey) = step.stepOptions;
    project.save();
    const PartitionSet& set = *step.set;
    const std::string& path = step.path;
    std::printf("%-10s %s\n", "layer", "quality");
    for (std::size_t l = 0; l < set.layers.size(); ++l) {
        std::string quality;
        for (const auto& [key, value] : set.layers[l].quality) {
            char item[64];
            std::snprintf(item, sizeof item, "%s=%.4g ", key.c_str(), value);
            quality += item;
        }
        std::printf("%-10s %s\n", set.layerNames[l].c_str(), quality.c_str());
    }
    std::printf("saved %s (%s, %d experts of %d neurons", path.c_str(), set.method.c_str(),
                partition.numExperts, set.layers[0].expertSize());
    if (!set.layers[0].shared.empty()) {
        std::printf(" + %zu shared", set.layers[0].shared.size());
    }
    std::printf(")\n");
    std::fflush(stdout);
    printStaleArtifactNotes(project);
    return 0;
}

}  // namespace moewb::cli
