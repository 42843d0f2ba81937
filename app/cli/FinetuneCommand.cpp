#include "CliSupport.h"
#include "Commands.h"

#include "moewb/corpus/DemoSet.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/moe/MoeFinetuner.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/FinetuneStep.h"
#include "moewb/project/Project.h"
#include "moewb/util/Paths.h"
#include "moewb/util/TorchRuntime.h"
#include "moewb/workflow/ProjectSteps.h"

#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>

namespace moewb::cli {
namespace {

const char* kUsage =
    "usage: moewb finetune PROJECT --partition NAME [--k 4] [--encoder-k K] [--decoder-k K]\n"
    "                     [--mixed-k 1,2,4] [--time-budget 50m] [--steps N] [--epochs 10]\n"
    "                     [--kd-weight 1] [--ce-weight 0.5] [--mse-weight 0] [--lr 1e-4]\n"
    "                     [--batch-tokens 3000] [--seed 1] [--src F --tgt F | --tsv F]\n"
    "                     [--valid-src F --valid-tgt F] [--check-every 100]\n"
    "                     [--check-sentences 100] [--name NAME] [--resume]\n"
    "                     [--routers mlp,similarity] [--router-tokens 20000] [--threads N]\n"
    "                     [--routing weights|router|gate] [--training-router NAME]\n"
    "                     [--balance-weight 0.1] [--gate-lr 1e-3]\n"
    "Fine-tunes the project's model to run K of N experts per FFN (docs/moe-quality.md): the "
    "dense\n"
    "model is the teacher (KL on its output distribution), plus cross-entropy on the references\n"
    "(and optionally the FFN-output MSE). The experts of each token are chosen from the current\n"
    "weights at every step (--routing weights), or by a router of the project trained on the\n"
    "dense model (--routing router --training-router NAME), or by a noisy top-K gate trained\n"
    "with the experts and saved as router NAME-gate (--routing gate: Shazeer et al.'s gate\n"
    "with importance and load CV^2 losses, weighted by --balance-weight). --mixed-k draws\n"
    "each step's K from a list so that one model serves several K. Saves\n"
    "PROJECT/models/NAME.moewb at the dense model's precision (the dense model is never\n"
    "touched; default NAME <partition>-ft), checkpoints in\n"
    "PROJECT/finetune/NAME/ (--resume continues them), then trains routers on the fine-tuned\n"
    "model as PROJECT/routers/NAME-<kind>.json; translate, eval and sweep with --router\n"
    "NAME-mlp run the fine-tuned model (against the project's model as dense).\n"
    "Without --src/--tsv the Ding dictionary's sentence train split is used; the BLEU checks\n"
    "use --valid-src/--valid-tgt or the built-in demo set.\n";

std::vector<std::string> parseNameList(const std::string& text) {
    std::vector<std::string> names;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (!item.empty()) {
            names.push_back(item);
        }
    }
    return names;
}

}  // namespace

int runFinetuneCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"partition",
                          "k",
                          "encoder-k",
                          "decoder-k",
                          "mixed-k",
                          "time-budget",
                          "steps",
                          "epochs",
                          "kd-weight",
                          "ce-weight",
                          "mse-weight",
                          "lr",
                          "batch-tokens",
                          "seed",
                          "src",
                          "tgt",
                          "tsv",
                          "ding-path",
                          "valid-src",
                          "valid-tgt",
                          "check-every",
                          "check-sentences",
                          "name",
                          "routers",
                          "router-tokens",
                          "threads",
                          "routing",
                          "training-router",
                          "balance-weight",
                          "gate-lr"},
                         {"help", "resume"});
    if (args.has("help")) {
        std::cout << kUsage;
        return 0;
    }
    requirePositional(args, "finetune", {"PROJECT"});
    if (!args.has("partition")) {
        throw UsageError("--partition NAME is required (see PROJECT/partitions/)");
    }
    if (args.has("valid-src") != args.has("valid-tgt")) {
        throw UsageError("--valid-src and --valid-tgt go together");
    }
    configureTorchThreads(threadsOption(args));
    auto project = Project::open(args.positional()[0]);
    FinetuneStepOptions step;
    step.partition = args.value("partition");
    step.name = args.value("name");
    step.routerKinds = parseNameList(args.value("routers", "mlp"));
    step.routerTokens = args.intValue("router-tokens", 20000, 1, kMaxTokens);
    step.routerSeed = static_cast<uint64_t>(args.intValue("seed", 1, 0, kMaxSeed));
    const auto partition = loadPartitionSet(project.partitionPath(step.partition));
    const int n = partition.layers.at(0).numExperts;
    const auto config = NmtModel::load(project.modelPath())->config();

    FinetuneOptions& options = step.tuning;
    const std::string hint = "the partition has " + std::to_string(n) + " experts";
    const int k = args.intValue("k", std::max(1, n / 4), 1, n, hint.c_str());
    const int encoderK = args.intValue("encoder-k", k, 1, n, hint.c_str());
    const int decoderK = args.intValue("decoder-k", k, 1, n, hint.c_str());
    for (std::size_t l = 0; l < partition.layers.size(); ++l) {
        options.layerK.push_back(static_cast<int>(l) < config.encoderLayers ? encoderK : decoderK);
    }
    if (args.has("mixed-k")) {
        options.mixedK = args.intListValue("mixed-k", 1, n);
    }
    options.timeBudgetSeconds =
        args.has("time-budget") ? parseDuration(args.value("time-budget")) : 0;
    options.maxSteps =
        args.intValue("steps", 0, 0, std::numeric_limits<int>::max(), "0 = no limit");
    options.maxEpochs = args.intValue("epochs", options.maxEpochs, 1, 10000);
    const auto weight = NumberRange::between(0, 1000);
    options.kdWeight = args.doubleValue("kd-weight", options.kdWeight, weight);
    options.ceWeight = args.doubleValue("ce-weight", options.ceWeight, weight);
    options.mseWeight = args.doubleValue("mse-weight", options.mseWeight, weight);
    options.learningRate =
        args.doubleValue("lr", options.learningRate, {0, 1, true, false});  // (0, 1]
    // A batch must hold the longest pair, source and target (finetuneMoe refuses less).
    const std::string batchHint = "at least twice the longest pair of " +
                                  std::to_string(options.maxSentenceTokens) + " tokens plus 2";
    options.maxBatchTokens =
        args.intValue("batch-tokens", options.maxBatchTokens, 2 * options.maxSentenceTokens + 2,
                      kMaxTokens, batchHint.c_str());
    options.seed = static_cast<uint64_t>(args.intValue("seed", 1, 0, kMaxSeed));
    options.checkEvery = args.intValue("check-every", options.checkEvery, 0,
                                       std::numeric_limits<int>::max(), "0 = only at the end");
    options.checkSentences = args.intValue("check-sentences", options.checkSentences, 1, 100000);
    options.checkK = k;
    options.resume = args.has("resume");
    const std::string routing = args.value("routing", "weights");
    if (routing == "router") {
        options.routing = TrainingRouting::Router;
        step.trainingRouter = args.value("training-router", step.partition + "-mlp");
    } else if (routing == "gate") {
        options.routing = TrainingRouting::JointGate;
    } else if (routing != "weights") {
        throw UsageError("--routing is weights, router or gate, not '" + routing + "'");
    }
    options.balanceWeight = args.doubleValue("balance-weight", options.balanceWeight, weight);
    options.gateLearningRate =
        args.doubleValue("gate-lr", options.gateLearningRate, {0, 1, true, false});  // (0, 1]
    const std::string name = finetuneStepName(step);
    if (!options.resume && fileExists(project.finetuneCheckpointDir(name) + "/state.json")) {
        throw UsageError(
            "PROJECT/finetune/" + name +
            " holds a checkpoint: add --resume to continue it, or give another --name");
    }

    ConsoleFeedback feedback;
    FinetuneData data;
    const ParallelCorpus training = loadTrainingData(trainingSource(args), feedback);
    data.train = training.pairs;
    data.description = training.description;
    data.valid =
        args.has("valid-src")
            ? readMosesCorpus(args.value("valid-src"), args.value("valid-tgt"), feedback).pairs
            : loadDemoSet().pairs;
    std::cerr << "fine-tuning " << project.modelPath() << " over " << step.partition
              << " (N = " << n << ", encoder K = " << encoderK << ", decoder K = " << decoderK
              << ") on " << data.train.size() << " pairs\n";

    const auto result = runFinetuneStep(project, step, data, feedback);
    std::printf(
        "fine-tuned %lld steps in %.0f s (%s), %.0f tokens/s; saved %s (%s)\n",
        static_cast<long long>(result.tuning.curve.empty() ? 0 : result.tuning.curve.back().step),
        result.tuning.seconds, result.tuning.stopReason.c_str(), result.tuning.tokensPerSecond,
        result.modelPath.c_str(), result.float16 ? "float16, as the dense model" : "float32");
    std::printf("time of this run: %s\n", result.tuning.phases.summary().c_str());
    std::printf("%8s %8s %8s %8s\n", "step", "minutes", "loss", "BLEU@K");
    for (const auto& p : result.tuning.curve) {
        if (p.bleu >= 0) {
            std::printf("%8lld %8.1f %8.3f %8.2f\n", static_cast<long long>(p.step),
                        p.seconds / 60.0, p.loss, p.bleu);
        }
    }
    for (std::size_t i = 0; i < result.routers.size(); ++i) {
        double recall = 0, cv = 0;
        const auto& quality = result.routers[i]->quality;
        for (const auto& q : quality) {
            recall += q.recall.at(static_cast<std::size_t>(k - 1)) / quality.size();
            cv += q.loadCv.at(static_cast<std::size_t>(k - 1)) / quality.size();
        }
        std::printf("router %s: mean held-out recall@%d %.3f, expert-load CV %.2f; saved %s\n",
                    result.routerNames[i].c_str(), k, recall, cv,
                    project.routerPath(result.routerNames[i]).c_str());
    }
    std::fflush(stdout);
    printStaleArtifactNotes(project);
    return 0;
}

}  // namespace moewb::cli
