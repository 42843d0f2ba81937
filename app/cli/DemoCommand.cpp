#include "CliSupport.h"
#include "Commands.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/moe/ExpertPartition.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/Sweep.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace moewb::cli {

void printSweep(const SweepResult& result);  // SweepCommand.cpp

int runDemoCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {"model", "project", "experts", "tokens", "threads", "ding-path"},
                         {"help"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb demo [--model M] [--project DIR] [--experts 16] [--tokens 20000]\n"
               "                  [--ding-path F]\n"
               "The headless main job: profiles the model (default: the shipped one) on the Ding\n"
               "dictionary's sentence train split (--ding-path: another Ding file), splits\n"
               "every FFN into experts with METIS and balanced k-means, trains MLP routers,\n"
               "and prints the classic comparison table (time, BLEU and speed-up for dense and\n"
               "K = 1, 2, 4, 8 up to N over the first 10 … 30 demo sentences) plus the full K\n"
               "sweep.\n"
               "Dense and MoE are timed in alternating rounds; a speed-up reads\n"
               "\"×median ± spread\" of the per-round ratios (the spread reaches the farthest\n"
               "round).\n"
               "Artifacts go to DIR (default ./moewb-demo).\n";
        return 0;
    }
    requirePositional(args, "demo", {});
    const auto start = std::chrono::steady_clock::now();
    configureTorchThreads(threadsOption(args));
    const int64_t tokens = args.intValue("tokens", 20000, 1, kMaxTokens);
    const int experts = args.intValue("experts", 16, 2, 4096);
    auto project = Project::openOrCreate(args.value("project", "moewb-demo"), args.value("model"));
    auto model = NmtModel::load(project.modelPath());
    try {
        validatePartitionOptions(model->config().dFf, experts);  // before minutes of work
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    std::printf("model: %s\n", project.modelPath().c_str());
    ConsoleFeedback feedback;
    CorpusSource ding;
    ding.path = args.value("ding-path", ding.path);
    const auto train = splitCorpus(loadCorpus(ding, feedback), SplitOptions{}).train;
    const auto demo = loadDemoSet();

    SubFeedback profileFeedback(feedback, 0.0, 0.15);
    ProfileOptions profileOptions;
    profileOptions.tokenBudget = tokens;
    const auto profile = profileModel(*model, train.pairs, profileOptions, profileFeedback);
    saveProfile(project.profilePath(), profile);
    std::printf("\nFFN sparsity (zeros in relu(h)) over %lld + %lld tokens:\n",
                static_cast<long long>(profile.sourceTokens),
                static_cast<long long>(profile.targetTokens));
    for (const auto& layer : profile.layers) {
        std::printf("  %-9s %5.1f%%\n", layer.name.c_str(), 100.0 * layer.sparsity());
    }
    SubFeedback inputFeedback(feedback, 0.15, 0.2);
    const auto inputs = collectFfnInputs(*model, train.pairs, tokens, inputFeedback);
    const auto demoInputs = collectFfnInputs(*model, demo.pairs, tokens, inputFeedback);
    double progress = 0.2;
    for (const char* method : {"kmeans", "metis"}) {
        ModelPartitionOptions partitionOptions;
        partitionOptions.method = method;
        partitionOptions.numExperts = experts;
        SubFeedback partitionFeedback(feedback, progress, progress + 0.05);
        const auto set = partitionModel(*model, &profile, partitionOptions, partitionFeedback);
        savePartitionSet(project.partitionPath(method), set);
        const auto experts = buildExperts(*model, set);
        SubFeedback routerFeedback(feedback, progress + 0.05, progress + 0.2);
        auto routers = trainRouters(experts, inputs, RouterTrainingOptions{}, routerFeedback);
        routers.partition = method;
        routers.contentHash =
            saveRouterSet(project.routerPath(std::string(method) + "-mlp"), routers);
        const int n = partitionOptions.numExperts;
        if (std::string(method) == "kmeans") {
            SubFeedback tableFeedback(feedback, progress + 0.2, progress + 0.3);
            // The classic Ks that exist for this N (N = 2 or 4 has no K = 8).
            std::vector<int> ks;
            for (int k : {1, 2, 4, 8}) {
                if (k <= n) {
                    ks.push_back(k);
                }
            }
            const auto table =
                runComparisonTable(*model, experts, routers, demo, {10, 15, 20, 25, 30}, ks,
                                   DecodeOptions{}, tableFeedback);
            // The same name the GUI's Sweeps step uses, so the workbench shows this table.
            writeFileAtomic(project.sweepPath("kmeans-mlp-comparison", "json"),
                            table.toJson().dump(1) + "\n");
            std::printf(
                "\nClassic comparison (k-means experts, MLP router, N = %d, greedy, demo set):\n%s",
                n, table.toText().c_str());
        }
        SubFeedback sweepFeedback(feedback, progress + 0.3, progress + 0.4);
        const auto sweep =
            runSweep(*model, experts, routers, demo, demoInputs, SweepOptions{}, sweepFeedback);
        writeFileAtomic(project.sweepPath(std::string(method) + "-mlp", "csv"), sweep.toCsv());
        writeFileAtomic(project.sweepPath(std::string(method) + "-mlp", "json"),
                        sweep.toJson().dump(1) + "\n");
        std::printf("\nK sweep: %s experts, MLP router, N = %d, greedy, %zu demo sentences\n",
                    method, n, demo.pairs.size());
        printSweep(sweep);
        progress += 0.4;
    }
    std::printf("\ndone in %.1f s; artifacts in %s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                project.folder().c_str());
    return 0;
}

}  // namespace moewb::cli
