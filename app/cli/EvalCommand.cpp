#include "CliSupport.h"
#include "Commands.h"
#include "ModelOption.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/InterleavedTiming.h"
#include "moewb/util/TorchRuntime.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>

namespace moewb::cli {

namespace {

// BLEU and speed of one model; without a label, the layout of a dense-only eval ("BLEU = …" at
// the start of its line, then "speed").
void printRun(const char* label, const TranslationResult& result, double seconds,
              const std::vector<std::string>& references) {
    const std::size_t sentences = result.translations.size();
    const double s = std::max(seconds, 1e-9);
    const std::string bleu = formatBleu(corpusBleu(result.translations, references));
    if (*label) {
        std::printf("%-11s %s\n", label, bleu.c_str());
    } else {
        std::printf("%s\n", bleu.c_str());
    }
    std::printf("%-11s %.1f sentences/s, %.0f target tokens/s (%.3f s, %.3f ms/token)\n",
                *label ? "" : "speed", sentences / s, result.targetTokens / s, seconds,
                result.targetTokens > 0 ? 1000.0 * seconds / result.targetTokens : 0.0);
}

}  // namespace

int runEvalCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"model", "src", "ref", "beam", "batch", "max-length", "length-penalty",
                          "limit", "threads", "ding-path", "hyp-out", "project", "router", "k",
                          "encoder-k", "decoder-k", "rounds", "tau"},
                         {"help", "ding", "demo", "reference-step", "moe"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb eval [--model M] [--src F --ref F | --ding | --demo] [--beam 1]\n"
               "                  [--batch 32] [--limit N] [--hyp-out F] [--rounds 5]\n"
               "                  [--project P --router NAME [--k K] [--encoder-k K]\n"
               "                   [--decoder-k K] [--tau T]]\n"
               "Translates a test set and prints BLEU (sacreBLEU-exact, with its signature),\n"
               "sentences/s, target tokens/s and ms per target token. Default data: the built-in\n"
               "demo set; --ding is the Ding dictionary's sentence test split; --src/--ref any\n"
               "parallel files.\n"
               "MoE (the options of `moewb translate`): with --router the project's model runs\n"
               "dense and with K experts per token in alternating rounds (dense, MoE, dense, …)\n"
               "after one warm-up each, until the median speed-up is stable or --rounds end;\n"
               "prints both BLEUs, both speeds (medians) and the speed-up as the median of the\n"
               "per-round ratios +- the farthest round, per sentence and per target token, and "
               "the\n"
               "MoE's compute (share of the dense FFN multiply-adds done). A router made by\n"
               "`moewb finetune` runs its fine-tuned model against the project's dense model;\n"
               "--moe evaluates the shipped fine-tuned MoE against the shipped dense model.\n"
               "--hyp-out writes the MoE output when there is one.\n";
        return 0;
    }
    requirePositional(args, "eval", {});
    if (args.has("src") != args.has("ref")) {
        throw UsageError("--src and --ref go together");
    }
    configureTorchThreads(threadsOption(args));
    const auto options = decodeOptions(args);
    InterleavedTimingOptions timing;
    timing.maxRounds = args.intValue("rounds", timing.maxRounds, 1, 100);
    timing.minRounds = std::min(timing.minRounds, timing.maxRounds);
    const int limit = args.intValue("limit", 0, 0, std::numeric_limits<int>::max(), "0 = all");
    ConsoleFeedback feedback;
    ParallelCorpus data;
    if (args.has("src")) {
        // Line pairs with an empty side are kept, not dropped: --hyp-out then has one line per
        // input line (line n translates line n, as sacreBLEU and paste expect). An empty source
        // translates to an empty line and is scored as such; an empty reference cannot be
        // scored (sacreBLEU refuses it too), so it is an error naming the line, below.
        data = readMosesCorpus(args.value("src"), args.value("ref"), feedback, nullptr,
                               EmptySides::Keep);
    } else if (args.has("ding")) {
        CorpusSource ding;
        ding.path = args.value("ding-path", ding.path);
        data = splitCorpus(loadCorpus(ding, feedback), SplitOptions{}).test;
    } else {
        data = loadDemoSet();
    }
    if (limit > 0 && static_cast<std::size_t>(limit) < data.pairs.size()) {
        data.pairs.resize(static_cast<std::size_t>(limit));
    }
    std::size_t emptySources = 0;
    for (std::size_t i = 0; i < data.pairs.size(); ++i) {
        if (data.pairs[i].target.empty()) {
            throw std::runtime_error(
                args.value("ref") + ":" + std::to_string(i + 1) +
                ": empty reference; BLEU needs one for every line (sacreBLEU refuses empty "
                "references too): fill it in or delete line " +
                std::to_string(i + 1) + " from both files");
        }
        emptySources += data.pairs[i].source.empty() ? 1 : 0;
    }
    if (emptySources > 0) {
        std::cerr << "note: " << emptySources
                  << " source line(s) are empty; they translate to empty lines, scored as such\n";
    }
    const auto loaded = loadModelWithMoe(args);
    const bool moe = !loaded.layers.empty();
    std::vector<std::string> sources, references;
    for (const auto& p : data.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    const Translator denseTranslator(loaded.denseModel), moeTranslator(loaded.model);
    const FfnPlan plan = makeMoePlan(loaded.layers);
    // Outputs are deterministic: the last run of each stands for all of them.
    TranslationResult dense, mixture;
    int calls = 0;
    const int variants = moe ? 2 : 1;
    const double expected = (timing.maxRounds + 1.0) * variants;
    Feedback quiet;  // per-run batch progress; the rounds report below instead
    auto progress = [&](const char* what) {
        ++calls;
        feedback.setProgress(calls / expected,
                             std::string(what) + " run " +
                                 std::to_string((calls + variants - 1) / variants) +
                                 " (the first is a warm-up)");
    };
    std::vector<TimedVariant> runs = {[&] {
        progress("dense");
        dense = denseTranslator.translate(sources, options, quiet);
        return dense.seconds;
    }};
    if (moe) {
        runs.push_back([&] {
            progress("MoE");
            for (auto& layer : loaded.layers) {
                layer->resetComputeCount();
            }
            mixture = moeTranslator.translate(sources, options, quiet, &plan);
            return mixture.seconds;
        });
    }
    const auto timed = timeInterleaved(runs, timing, feedback);
    feedback.setProgress(1.0, "done");
    if (args.has("hyp-out")) {
        std::string text;
        for (const auto& t : (moe ? mixture : dense).translations) {
            text += t + "\n";
        }
        writeFileAtomic(args.value("hyp-out"), text);
    }
    std::printf("data        %s (%zu sentences)\n", data.description.c_str(), sources.size());
    std::printf(
        "decoding    %s, batch %d\n",
        options.beamSize == 1 ? "greedy" : ("beam " + std::to_string(options.beamSize)).c_str(),
        options.batchSize);
    std::printf("timing      median of %d round(s)%s after a warm-up\n", timed.rounds,
                moe ? " alternating dense and MoE" : "");
    printRun(moe ? "dense" : "", dense, timed.medianSeconds[0], references);
    if (moe) {
        printRun("MoE", mixture, timed.medianSeconds[1], references);
        const TimingRatio& speedup = timed.speedups[1];
        const double tokens = dense.targetTokens > 0
                                  ? double(mixture.targetTokens) / double(dense.targetTokens)
                                  : 0.0;
        std::printf("speed-up    %s per sentence set, %s per target token (± the farthest round)\n",
                    speedup.text().c_str(), speedup.scaled(tokens).text().c_str());
        const MoeCompute compute = totalCompute(loaded.layers);
        std::printf(
            "compute     %.1f %% of the dense FFN multiply-adds (router and shared neurons "
            "included, all tokens), %.2f experts per token\n",
            100.0 * compute.fraction(), compute.expertsPerToken());
    }
    std::printf("signature   %s\n", bleuSignature().c_str());
    return 0;
}

int runInfoCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {"model"}, {"help"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb info [MODEL]\nPrints a model's configuration, parameter count and "
               "training record (default: the shipped model).\n";
        return 0;
    }
    if (args.positional().size() > 1) {
        throw UsageError("unexpected argument '" + args.positional()[1] + "' (see --help)");
    }
    if (!args.positional().empty() && args.has("model")) {
        throw UsageError("give the model once: moewb info MODEL or moewb info --model MODEL");
    }
    const std::string path = !args.positional().empty() ? args.positional()[0]
                             : args.has("model")        ? args.value("model")
                                                        : NmtModel::defaultModelPath();
    const auto model = NmtModel::load(path);
    std::printf("model       %s\n", path.c_str());
    std::printf("config      %s\n", model->config().toJson().dump().c_str());
    std::printf("vocabulary  %d SentencePiece pieces\n", model->tokenizer().vocabSize());
    std::printf("parameters  %lld\n", static_cast<long long>(model->parameterCount()));
    std::printf("training    %s\n", model->record().dump(2).c_str());
    return 0;
}

}  // namespace moewb::cli

namespace moewb::cli {

int runConvertCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {}, {"help", "fp16", "fp32"});
    if (args.has("help")) {
        std::cout << "usage: moewb convert IN OUT [--fp16|--fp32]\n"
                     "Rewrites a model file, storing its weights as float16 (half the size; they\n"
                     "load as float32) or float32 (the default).\n";
        return 0;
    }
    requirePositional(args, "convert", {"IN", "OUT"});
    if (args.has("fp16") && args.has("fp32")) {
        throw UsageError("give one precision: --fp16 or --fp32");
    }
    const auto model = NmtModel::load(args.positional()[0]);
    model->save(args.positional()[1],
                args.has("fp16") ? WeightPrecision::Float16 : WeightPrecision::Float32);
    std::printf("wrote %s (%s weights)\n", args.positional()[1].c_str(),
                args.has("fp16") ? "float16" : "float32");
    return 0;
}

}  // namespace moewb::cli
