#include "CliSupport.h"
#include "Commands.h"
#include "ModelOption.h"

#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/moe/Sweep.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/TorchRuntime.h"
#include "moewb/workflow/ProjectSteps.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>

namespace moewb::cli {

// Speed-ups as "×1.31 ± 0.04": the median of interleaved dense / MoE rounds and its spread.
void printSweep(const SweepResult& result) {
    std::printf("%-6s %-6s %7s %8s %9s %8s %9s  %-15s%-15s%8s %8s\n", "enc K", "dec K", "BLEU",
                "compute", "time s", "ms/tok", "FFN s", "speedup", "per token", "recall",
                "FFN err");
    auto line = [&](const SweepRow& r, const char* label) {
        const std::string speedup = TimingRatio{r.speedup, r.speedupSpread}.text();
        const std::string perToken =
            r.targetTokens > 0 ? TimingRatio{r.tokenSpeedup, r.tokenSpeedupSpread}.text() : "-";
        // printf pads by bytes, and × and ± take two each: pad by columns instead.
        auto column = [](const std::string& text) {
            std::size_t columns = 0;
            for (unsigned char c : text) {
                columns += (c & 0xC0) != 0x80 ? 1 : 0;
            }
            return text + std::string(columns < 15 ? 15 - columns : 0, ' ');
        };
        char tau[32] = "";
        if (r.threshold > 0) {
            std::snprintf(tau, sizeof tau, "τ%.2f", r.threshold);
        }
        const std::string encoderLabel =
            label ? label : (r.threshold > 0 ? std::string(tau) : std::to_string(r.encoderK));
        const std::string decoderLabel = label ? ""
                                               : (r.threshold > 0 ? "≤" + std::to_string(r.decoderK)
                                                                  : std::to_string(r.decoderK));
        char compute[32] = "-";
        if (r.compute > 0) {
            std::snprintf(compute, sizeof compute, "%.1f%%", 100.0 * r.compute);
        }
        std::printf("%-6s %-6s %7.2f %8s %9.3f %8.3f %9.3f  %s%s%8.3f %8.3f\n",
                    encoderLabel.c_str(), decoderLabel.c_str(), r.bleu, compute, r.seconds,
                    1000.0 * r.secondsPerToken(), r.ffnSeconds, column(speedup).c_str(),
                    column(perToken).c_str(), r.recall, r.ffnError);
    };
    line(result.dense, "dense");
    for (const auto& r : result.rows) {
        line(r, nullptr);
    }
    int rounds = 0;
    for (const auto& r : result.rows) {
        rounds = std::max(rounds, r.rounds);
    }
    std::printf(
        "(times: medians over up to %d interleaved dense / MoE rounds per K; speed-up: "
        "median of the per-round ratios ± the farthest round)\n",
        rounds);
}

int runSweepCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"router", "ks", "encoder-ks", "decoder-ks", "beam", "batch", "src", "ref",
                          "limit", "name", "threads", "tokens", "rounds", "tau", "tau-max-k"},
                         {"help", "grid"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb sweep PROJECT --router NAME [--ks 1,2,4,8,16] [--encoder-ks L]\n"
               "                   [--decoder-ks L] [--grid] [--beam 1] [--batch 32]\n"
               "                   [--src F --ref F] [--limit N] [--name NAME] [--rounds 5]\n"
               "                   [--tau 0.5,0.7,0.9 [--tau-max-k N/2]]\n"
               "Translates a test set (default: the built-in demo set) dense and at each K with\n"
               "the saved router PROJECT/routers/NAME.json: BLEU, time, FFN time, speedup,\n"
               "recall@K and FFN error. --grid sweeps every encoder K x decoder K pair.\n"
               "--tau adds dynamic-K rows: each token takes the fewest experts whose router\n"
               "mass reaches tau (at most --tau-max-k). 'compute' is the share of the dense FFN\n"
               "multiply-adds done, router and shared neurons included, over all tokens.\n"
               "A router trained by `moewb finetune` runs its fine-tuned model; dense stays the\n"
               "project's model.\n"
               "Dense and each K run in alternating rounds (at most --rounds, fewer once the\n"
               "median speed-up is stable); speed-ups are medians of per-round ratios +- spread.\n"
               "Writes PROJECT/sweeps/NAME.csv and .json.\n";
        return 0;
    }
    requirePositional(args, "sweep", {"PROJECT"});
    if (!args.has("router")) {
        throw UsageError("--router NAME is required (see PROJECT/routers/)");
    }
    if (args.has("src") != args.has("ref")) {
        throw UsageError("--src and --ref go together");
    }
    configureTorchThreads(threadsOption(args));
    SweepStepOptions step;
    SweepOptions& options = step.sweep;
    options.decoding = decodeOptions(args);
    options.timing.maxRounds = args.intValue("rounds", options.timing.maxRounds, 1, 100);
    options.timing.minRounds = std::min(options.timing.minRounds, options.timing.maxRounds);
    options.grid = args.has("grid");
    options.thresholds = args.doubleListValue("tau", NumberRange::inside(0, 1));
    step.sentenceLimit = args.intValue("limit", 0, 0, std::numeric_limits<int>::max(), "0 = all");
    step.ffnTokens = args.intValue("tokens", 20000, 1, kMaxTokens);
    const std::string routerName = args.value("router");
    step.name = args.value("name", routerName);
    auto project = Project::open(args.positional()[0]);
    std::shared_ptr<NmtModel> model = NmtModel::load(project.modelPath());
    const ProjectMoe moe = loadProjectMoe(project, routerName, model);
    // K lists are checked against this partition's N.
    const int n = moe.numExperts();
    options.encoderKs = args.intListValue(args.has("encoder-ks") ? "encoder-ks" : "ks", 1, n);
    options.decoderKs = args.intListValue(args.has("decoder-ks") ? "decoder-ks" : "ks", 1, n);
    options.dynamicMaxK = args.intValue("tau-max-k", 0, 0, n, "0 = N / 2");
    ConsoleFeedback feedback;
    if (args.has("src")) {
        step.testSet = readMosesCorpus(args.value("src"), args.value("ref"), feedback);
    }
    const auto saved = runSweepStep(project, *model, moe, step, feedback);
    const SweepResult& result = *saved.sweep;
    const std::string& partition = moe.partitionName;
    const RouterSet& routers = *moe.routers;
    std::printf("sweep of %s over %s on %s (%zu sentences, %s)\n", routers.kind.c_str(),
                partition.c_str(), saved.testDescription.c_str(), saved.sentences,
                options.decoding.beamSize == 1 ? "greedy" : "beam");
    printSweep(result);
    std::printf("saved %s\n", saved.csvPath.c_str());
    return 0;
}

}  // namespace moewb::cli
