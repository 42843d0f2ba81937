#include "CliSupport.h"
#include "Commands.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/moe/ExpertPartition.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/TorchRuntime.h"
#include "moewb/workflow/ProjectSteps.h"

#include <nlohmann/json.hpp>

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
    // The training pairs are read once and shared by the profile and route steps.
    CorpusSource ding;
    ding.path = args.value("ding-path", ding.path);
    StepPairs data;
    data.loaded = std::make_shared<const ParallelCorpus>(loadTrainingData(ding, feedback));
    auto record = [&project](const std::string& key, const nlohmann::json& options) {
        project.stepOptions(key) = options;
        project.save();
    };

    SubFeedback profileFeedback(feedback, 0.0, 0.15);
    ProfileStepOptions profileOptions;
    profileOptions.tokens = tokens;
    profileOptions.data = data;
    const auto profiled = runProfileStep(project, *model, profileOptions, profileFeedback);
    record(profiled.stepKey, profiled.stepOptions);
    const ProfileResult& profile = *profiled.profile;
    std::printf("\nFFN sparsity (zeros in relu(h)) over %lld + %lld tokens:\n",
                static_cast<long long>(profile.sourceTokens),
                static_cast<long long>(profile.targetTokens));
    for (const auto& layer : profile.layers) {
        std::printf("  %-9s %5.1f%%\n", layer.name.c_str(), 100.0 * layer.sparsity());
    }
    double progress = 0.15;
    for (const char* method : {"kmeans", "metis"}) {
        PartitionStepOptions partitionOptions;
        partitionOptions.partition.method = method;
        partitionOptions.partition.numExperts = experts;
        SubFeedback partitionFeedback(feedback, progress, progress + 0.05);
        const auto partition =
            runPartitionStep(project, *model, partitionOptions, partitionFeedback, &profile);
        record(partition.stepKey, partition.stepOptions);
        RouteStepOptions routeOptions;  // an MLP gate per layer
        routeOptions.partition = partition.name;
        routeOptions.tokens = tokens;
        routeOptions.data = data;
        SubFeedback routeFeedback(feedback, progress + 0.05, progress + 0.2);
        const auto route =
            runRouteStep(project, *model, routeOptions, routeFeedback, &partition.experts);
        record(route.stepKey, route.stepOptions);
        ProjectMoe moe;
        moe.partitionName = partition.name;
        moe.routerName = route.name;
        moe.model = model;
        moe.experts = partition.experts;
        moe.routers = route.set;
        if (std::string(method) == "kmeans") {
            // The same name the GUI's Sweeps step uses, so the workbench shows this table.
            SweepStepOptions tableOptions;
            tableOptions.name = route.name + "-comparison";
            tableOptions.comparison = true;
            SubFeedback tableFeedback(feedback, progress + 0.2, progress + 0.3);
            const auto table = runSweepStep(project, *model, moe, tableOptions, tableFeedback);
            std::printf(
                "\nClassic comparison (k-means experts, MLP router, N = %d, greedy, demo set):\n%s",
                experts, table.comparison->toText().c_str());
        }
        SweepStepOptions sweepOptions;
        sweepOptions.name = route.name;
        sweepOptions.ffnTokens = tokens;
        SubFeedback sweepFeedback(feedback, progress + 0.3, progress + 0.425);
        const auto sweep = runSweepStep(project, *model, moe, sweepOptions, sweepFeedback);
        std::printf("\nK sweep: %s experts, MLP router, N = %d, greedy, %zu demo sentences\n",
                    method, experts, sweep.sentences);
        printSweep(*sweep.sweep);
        progress += 0.425;
    }
    std::printf("\ndone in %.1f s; artifacts in %s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                project.folder().c_str());
    return 0;
}

}  // namespace moewb::cli
