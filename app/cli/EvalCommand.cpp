#include "CliSupport.h"
#include "Commands.h"
#include "ModelOption.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include <cstdio>
#include <iostream>

namespace moewb::cli {

int runEvalCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"model", "src", "ref", "beam", "batch", "max-length", "length-penalty",
                          "limit", "threads", "ding-path", "hyp-out"},
                         {"help", "ding", "demo"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb eval [--model M] [--src F --ref F | --ding | --demo] [--beam 1]\n"
               "                  [--batch 32] [--limit N] [--hyp-out F]\n"
               "Translates a test set and prints BLEU (sacreBLEU-exact, with its signature),\n"
               "sentences/s and target tokens/s. Default data: the built-in demo set; --ding is\n"
               "the Ding dictionary's sentence test split; --src/--ref any parallel files.\n";
        return 0;
    }
    if (args.has("src") != args.has("ref")) {
        throw UsageError("--src and --ref go together");
    }
    configureTorchThreads(args.intValue("threads", 0));
    const auto options = decodeOptions(args);
    ConsoleFeedback feedback;
    ParallelCorpus data;
    if (args.has("src")) {
        data = readMosesCorpus(args.value("src"), args.value("ref"), feedback);
    } else if (args.has("ding")) {
        CorpusSource ding;
        ding.path = args.value("ding-path", ding.path);
        data = splitCorpus(loadCorpus(ding, feedback), SplitOptions{}).test;
    } else {
        data = loadDemoSet();
    }
    const int limit = args.intValue("limit", 0);
    if (limit > 0 && static_cast<std::size_t>(limit) < data.pairs.size()) {
        data.pairs.resize(static_cast<std::size_t>(limit));
    }
    auto model = loadModelOption(args);
    std::vector<std::string> sources, references;
    for (const auto& p : data.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    const auto result = Translator(model).translate(sources, options, feedback);
    if (args.has("hyp-out")) {
        std::string text;
        for (const auto& t : result.translations) {
            text += t + "\n";
        }
        writeFileAtomic(args.value("hyp-out"), text);
    }
    const auto bleu = corpusBleu(result.translations, references);
    std::printf("data        %s (%zu sentences)\n", data.description.c_str(), sources.size());
    std::printf(
        "decoding    %s, batch %d\n",
        options.beamSize == 1 ? "greedy" : ("beam " + std::to_string(options.beamSize)).c_str(),
        options.batchSize);
    std::printf("%s\n", formatBleu(bleu).c_str());
    std::printf("signature   %s\n", bleuSignature().c_str());
    std::printf("speed       %.1f sentences/s, %.0f target tokens/s (%.2f s)\n",
                sources.size() / std::max(result.seconds, 1e-9),
                result.targetTokens / std::max(result.seconds, 1e-9), result.seconds);
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
    if (args.has("help") || args.positional().size() != 2) {
        std::cout << "usage: moewb convert IN OUT [--fp16|--fp32]\n"
                     "Rewrites a model file, storing its weights as float16 (half the size; they\n"
                     "load as float32) or float32.\n";
        return args.has("help") ? 0 : 2;
    }
    const auto model = NmtModel::load(args.positional()[0]);
    model->save(args.positional()[1],
                args.has("fp16") ? WeightPrecision::Float16 : WeightPrecision::Float32);
    std::printf("wrote %s (%s weights)\n", args.positional()[1].c_str(),
                args.has("fp16") ? "float16" : "float32");
    return 0;
}

}  // namespace moewb::cli
