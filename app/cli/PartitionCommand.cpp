#include "CliSupport.h"
#include "Commands.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/project/Project.h"
#include "moewb/util/Paths.h"
#include "moewb/util/TorchRuntime.h"

#include <cstdio>
#include <iostream>

namespace moewb::cli {

int runPartitionCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {"method", "experts", "seed", "name", "threads"}, {"help"});
    if (args.has("help") || args.positional().size() != 1) {
        std::cout
            << "usage: moewb partition PROJECT [--method metis|kmeans|random] [--experts 16]\n"
               "                       [--seed 1] [--name NAME]\n"
               "Splits every FFN layer's neurons into N equal experts and saves them as\n"
               "PROJECT/partitions/NAME.json (NAME defaults to the method). metis needs the\n"
               "profile step first.\n";
        return args.has("help") ? 0 : 2;
    }
    configureTorchThreads(args.intValue("threads", 0));
    auto project = Project::open(args.positional()[0]);
    ModelPartitionOptions options;
    options.method = args.value("method", options.method);
    options.numExperts = args.intValue("experts", options.numExperts);
    options.seed = static_cast<uint64_t>(args.intValue("seed", 1));
    const std::string name = args.value("name", options.method);
    const std::string path = project.partitionPath(name);
    auto model = NmtModel::load(project.modelPath());
    ProfileResult profile;
    if (options.method == "metis") {
        profile = loadProfile(project.profilePath());
    }
    ConsoleFeedback feedback;
    const auto set =
        partitionModel(*model, options.method == "metis" ? &profile : nullptr, options, feedback);
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
    std::printf("saved %s (%s, %d experts of %d neurons)\n", path.c_str(), set.method.c_str(),
                options.numExperts, set.layers[0].expertSize());
    return 0;
}

}  // namespace moewb::cli
