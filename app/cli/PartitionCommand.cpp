#include "CliSupport.h"
#include "Commands.h"

#include "moewb/moe/ExpertPartition.h"
#include "moewb/moe/ImportancePartitioner.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/project/Project.h"
#include "moewb/util/Paths.h"
#include "moewb/util/TorchRuntime.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <stdexcept>

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
    ModelPartitionOptions options;
    options.method = args.value("method", options.method);
    const std::vector<std::string> methods = {"metis", "kmeans", "importance", "random"};
    if (std::find(methods.begin(), methods.end(), options.method) == methods.end()) {
        throw UsageError("--method is metis, kmeans, importance or random, not '" + options.method +
                         "'");
    }
    options.numExperts = args.intValue("experts", options.numExperts, 2, 4096);
    options.seed = static_cast<uint64_t>(args.intValue("seed", 1, 0, kMaxSeed));
    options.sharedNeurons = args.intValue("shared", options.sharedNeurons, 0, 65536);
    options.importanceTokens =
        args.intValue("tokens", static_cast<int>(options.importanceTokens), 1, kMaxTokens);
    auto project = Project::open(args.positional()[0]);
    const std::string name = args.value("name", options.method);
    const std::string path = project.partitionPath(name);
    auto model = NmtModel::load(project.modelPath());
    // N (and the shared neurons) must split this model's d_ff: a usage error before any work.
    try {
        const int dFf = model->config().dFf;
        if (options.method == "importance") {
            ImportancePartitionOptions importance;
            importance.numExperts = options.numExperts;
            importance.sharedNeurons = options.sharedNeurons;
            validateImportanceOptions(dFf, importance);
        } else {
            validatePartitionOptions(dFf, options.numExperts);
        }
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    ProfileResult profile;
    if (options.method == "metis") {
        profile = loadProfile(project.profilePath());
    }
    ConsoleFeedback feedback;
    ParallelCorpus data;
    if (options.method == "importance") {
        data = readTrainingData(args, feedback);
    }
    auto set = partitionModel(*model, options.method == "metis" ? &profile : nullptr, data.pairs,
                              options, feedback);
    if (!data.description.empty()) {
        set.options["data"] = data.description;
    }
    savePartitionSet(path, set);
    project.stepOptions("partition:" + name) = set.options;
    project.save();
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
                options.numExperts, set.layers[0].expertSize());
    if (!set.layers[0].shared.empty()) {
        std::printf(" + %zu shared", set.layers[0].shared.size());
    }
    std::printf(")\n");
    std::fflush(stdout);
    printStaleArtifactNotes(project);
    return 0;
}

}  // namespace moewb::cli
