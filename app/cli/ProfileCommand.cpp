#include "CliSupport.h"
#include "Commands.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/TorchRuntime.h"
#include "moewb/workflow/ProjectSteps.h"

#include <cstdio>
#include <iostream>

namespace moewb::cli {

int runProfileCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {"model", "tokens", "src", "tgt", "tsv", "ding-path", "threads"},
                         {"help"});
    if (args.has("help")) {
        std::cout << "usage: moewb profile PROJECT [--model M] [--tokens 20000]\n"
                     "                     [--src F --tgt F | --tsv F | --ding-path F]\n"
                     "Teacher-forced pass over training pairs (default: the Ding dictionary's\n"
                     "sentence train split): per FFN layer the share of zero activations,\n"
                     "per-neuron firing counts and the co-activation matrix, saved in\n"
                     "PROJECT/profile/. Creates PROJECT when it does not exist.\n";
        return 0;
    }
    requirePositional(args, "profile", {"PROJECT"});
    configureTorchThreads(threadsOption(args));
    ProfileStepOptions options;
    options.tokens = args.intValue("tokens", static_cast<int>(options.tokens), 1, kMaxTokens);
    options.data.source = trainingSource(args);
    auto project = Project::openOrCreate(args.positional()[0], args.value("model"));
    ConsoleFeedback feedback;
    auto model = NmtModel::load(project.modelPath());
    const auto step = runProfileStep(project, *model, options, feedback);
    project.stepOptions(step.stepKey) = step.stepOptions;
    project.save();
    const ProfileResult& profile = *step.profile;

    std::printf(
        "profiled %lld source + %lld target tokens of %lld sentences (%s) in %.1f s\n",
        static_cast<long long>(profile.sourceTokens), static_cast<long long>(profile.targetTokens),
        static_cast<long long>(profile.sentences), step.dataDescription.c_str(), step.seconds);
    std::printf("%-10s %8s %9s %12s %12s\n", "layer", "tokens", "zeros", "dead neurons",
                "always on");
    for (const auto& layer : profile.layers) {
        int dead = 0, always = 0;
        for (auto a : layer.activations) {
            dead += a == 0;
            always += a == layer.tokens;
        }
        std::printf("%-10s %8lld %8.1f%% %12d %12d\n", layer.name.c_str(),
                    static_cast<long long>(layer.tokens), 100.0 * layer.sparsity(), dead, always);
    }
    std::printf("saved %s\n", project.profilePath().c_str());
    return 0;
}

}  // namespace moewb::cli
