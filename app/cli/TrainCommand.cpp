#include "CliSupport.h"
#include "Commands.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/corpus/TsvCorpusReader.h"
#include "moewb/nmt/Trainer.h"
#include "moewb/util/TorchRuntime.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace moewb::cli {
namespace {

const char* kUsage =
    "usage: moewb train --out MODEL [data options] [model options] [training options]\n"
    "\n"
    "data (any combination; at least one):\n"
    "  --src F --tgt F        parallel German/English files (Moses layout, plain or .gz)\n"
    "  --tsv F                TSV file of German<TAB>English pairs\n"
    "  --ding                 the Ding dictionary sentence pairs (train split)\n"
    "  --ding-phrases         also Ding phrase pairs, capped per epoch (see --phrase-share)\n"
    "  --ding-path F          Ding file (default /usr/share/trans/de-en)\n"
    "  --valid-src F --valid-tgt F  validation files; without them the data's own hash split\n"
    "                         (2 %) is used, and Ding's valid split is always added\n"
    "model: --vocab 8000 --d-model 256 --heads 4 --encoder-layers 3 --decoder-layers 3\n"
    "       --d-ff 1024 --dropout 0.1 --tokenizer-type unigram|bpe\n"
    "training: --epochs 50 --time-budget 30m (s/m/h) --batch-tokens 3000 --lr 0.001\n"
    "       --warmup 4000 --label-smoothing 0.1 --clip 1.0 --patience 3 --seed 1\n"
    "       --phrase-share 0.25 --checkpoint DIR --resume --fp16 (float16 weights in MODEL)\n"
    "       --init-from MODEL (continue training an existing model: its tokenizer and weights)\n"
    "       --threads N (default: all cores)\n";

void append(std::vector<SentencePair>& to, const std::vector<SentencePair>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

int runTrainCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"out",
                          "src",
                          "tgt",
                          "tsv",
                          "ding-path",
                          "valid-src",
                          "valid-tgt",
                          "vocab",
                          "d-model",
                          "heads",
                          "encoder-layers",
                          "decoder-layers",
                          "d-ff",
                          "dropout",
                          "tokenizer-type",
                          "epochs",
                          "time-budget",
                          "batch-tokens",
                          "lr",
                          "warmup",
                          "label-smoothing",
                          "clip",
                          "patience",
                          "seed",
                          "phrase-share",
                          "checkpoint",
                          "threads",
                          "max-sentence-tokens",
                          "init-from"},
                         {"help", "ding", "ding-phrases", "resume", "fp16"});
    if (args.has("help")) {
        std::cout << kUsage;
        return 0;
    }
    requirePositional(args, "train", {});
    if (!args.has("out")) {
        throw UsageError("--out MODEL is required (where to write the trained model)");
    }
    if (args.has("src") != args.has("tgt")) {
        throw UsageError("--src and --tgt go together");
    }
    if (args.has("valid-src") != args.has("valid-tgt")) {
        throw UsageError("--valid-src and --valid-tgt go together");
    }
    configureTorchThreads(threadsOption(args));
    // Options first: a typo is reported before minutes of reading data.
    TrainingOptions options;
    options.tokenizer.vocabSize = args.intValue("vocab", options.tokenizer.vocabSize, 100, 100000);
    options.tokenizer.modelType = args.value("tokenizer-type", options.tokenizer.modelType);
    options.tokenizer.seed = static_cast<unsigned>(args.intValue("seed", 1, 0, kMaxSeed));
    options.model.vocabSize = options.tokenizer.vocabSize;
    options.model.dModel = args.intValue("d-model", options.model.dModel, 8, 4096);
    options.model.heads = args.intValue("heads", options.model.heads, 1, 64);
    options.model.encoderLayers =
        args.intValue("encoder-layers", options.model.encoderLayers, 1, 24);
    options.model.decoderLayers =
        args.intValue("decoder-layers", options.model.decoderLayers, 1, 24);
    options.model.dFf = args.intValue("d-ff", options.model.dFf, 8, 65536);
    options.model.dropout =
        args.doubleValue("dropout", options.model.dropout, NumberRange::upTo(0, 1));
    try {
        options.model.validate();  // e.g. heads that do not divide d_model
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    options.maxEpochs = args.intValue("epochs", options.maxEpochs, 1, 10000);
    options.timeBudgetSeconds =
        args.has("time-budget") ? parseDuration(args.value("time-budget")) : 0;
    options.maxSentenceTokens =
        args.intValue("max-sentence-tokens", options.maxSentenceTokens, 4, 1000);
    // A batch must hold the longest pair, source and target (trainModel refuses less).
    const std::string batchHint = "at least twice --max-sentence-tokens " +
                                  std::to_string(options.maxSentenceTokens) + " plus 2";
    options.maxBatchTokens =
        args.intValue("batch-tokens", options.maxBatchTokens, 2 * options.maxSentenceTokens + 2,
                      kMaxTokens, batchHint.c_str());
    options.learningRate =
        args.doubleValue("lr", options.learningRate, {0, 1, true, false});  // (0, 1]
    options.warmupSteps = args.intValue("warmup", options.warmupSteps, 0, 10000000);
    options.labelSmoothing =
        args.doubleValue("label-smoothing", options.labelSmoothing, NumberRange::upTo(0, 1));
    options.clipNorm = args.doubleValue("clip", options.clipNorm, NumberRange::atLeast(0));
    options.patience = args.intValue("patience", options.patience, 1, 1000);
    options.seed = static_cast<uint64_t>(args.intValue("seed", 1, 0, kMaxSeed));
    options.phraseTokenShare =
        args.doubleValue("phrase-share", options.phraseTokenShare, NumberRange::between(0, 1));
    options.checkpointDir = args.value("checkpoint");
    options.resume = args.has("resume");
    options.initFrom = args.value("init-from");
    if (options.resume && options.checkpointDir.empty()) {
        throw UsageError("--resume needs --checkpoint DIR");
    }

    ConsoleFeedback feedback;
    TrainingData data;
    std::string description;
    const bool explicitValid = args.has("valid-src");
    auto addSplitCorpus = [&](const ParallelCorpus& corpus) {
        if (explicitValid) {
            append(data.sentences, corpus.pairs);
        } else {
            const auto splits = splitCorpus(corpus, SplitOptions{});
            append(data.sentences, splits.train.pairs);
            append(data.valid, splits.valid.pairs);
        }
        description += (description.empty() ? "" : " + ") + corpus.description;
    };
    if (args.has("src")) {
        addSplitCorpus(readMosesCorpus(args.value("src"), args.value("tgt"), feedback));
    }
    if (args.has("tsv")) {
        addSplitCorpus(readTsvCorpus(args.value("tsv"), feedback));
    }
    if (args.has("ding") || args.has("ding-phrases")) {
        CorpusSource ding;
        ding.path = args.value("ding-path", ding.path);
        ding.dingMode = DingMode::Sentences;
        const auto sentences = splitCorpus(loadCorpus(ding, feedback), SplitOptions{});
        append(data.sentences, sentences.train.pairs);
        append(data.valid, sentences.valid.pairs);
        description += (description.empty() ? "" : " + ") + sentences.train.description;
        if (args.has("ding-phrases")) {
            ding.dingMode = DingMode::Phrases;
            const auto phrases = splitCorpus(loadCorpus(ding, feedback), SplitOptions{});
            append(data.phrases, phrases.train.pairs);
            description += " + " + phrases.train.description + " (capped)";
        }
    }
    if (explicitValid) {
        append(data.valid,
               readMosesCorpus(args.value("valid-src"), args.value("valid-tgt"), feedback).pairs);
    }
    if (data.sentences.empty() && data.phrases.empty()) {
        throw UsageError("no training data: give --src/--tgt, --tsv or --ding (see --help)");
    }
    data.description = description;

    std::cerr << "training on " << data.sentences.size() << " sentence pairs";
    if (!data.phrases.empty()) {
        std::cerr << " + " << data.phrases.size() << " phrase pairs (capped at "
                  << options.phraseTokenShare * 100 << " % of target tokens per epoch)";
    }
    std::cerr << ", validating on " << data.valid.size() << " pairs\n";
    const auto result = trainModel(data, options, feedback);
    result.model->record()["command"] = "moewb train " + [&] {
        std::string joined;
        for (const auto& a : argv) {
            joined += (joined.empty() ? "" : " ") + a;
        }
        return joined;
    }();
    result.model->save(args.value("out"),
                       args.has("fp16") ? WeightPrecision::Float16 : WeightPrecision::Float32);

    std::printf("%-6s %-7s %-11s %-11s %-9s %s\n", "epoch", "steps", "train loss", "valid loss",
                "tok/s", "minutes");
    for (const auto& e : result.epochs) {
        std::printf("%-6d %-7lld %-11.4f %-11.4f %-9.0f %.1f%s\n", e.epoch,
                    static_cast<long long>(e.steps), e.trainLoss, e.validLoss, e.tokensPerSecond,
                    e.seconds / 60.0, e.partial ? " (partial)" : "");
    }
    std::printf("stopped: %s after %.1f minutes; wrote %s (%lld parameters)\n",
                result.stopReason.c_str(), result.seconds / 60.0, args.value("out").c_str(),
                static_cast<long long>(result.model->parameterCount()));
    // The whole run, not only the steps: tokenizing, batching, validation and checkpoints count.
    std::printf("this run: %lld tokens in %.1f s = %.0f tok/s overall; %s\n",
                static_cast<long long>(result.trainedTokens), result.runSeconds,
                result.trainedTokens / std::max(result.runSeconds, 1e-9),
                result.phases.summary().c_str());
    return 0;
}

}  // namespace moewb::cli
