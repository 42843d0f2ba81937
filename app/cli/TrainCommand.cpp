#include "CliSupport.h"
#include "Commands.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/corpus/TsvCorpusReader.h"
#include "moewb/nmt/Trainer.h"
#include "moewb/util/TorchRuntime.h"

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
    if (!args.has("out")) {
        throw UsageError("--out MODEL is required (where to write the trained model)");
    }
    if (args.has("src") != args.has("tgt")) {
        throw UsageError("--src and --tgt go together");
    }
    if (args.has("valid-src") != args.has("valid-tgt")) {
        throw UsageError("--valid-src and --valid-tgt go together");
    }
    configureTorchThreads(args.intValue("threads", 0));
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

    TrainingOptions options;
    options.tokenizer.vocabSize = args.intValue("vocab", options.tokenizer.vocabSize);
    options.tokenizer.modelType = args.value("tokenizer-type", options.tokenizer.modelType);
    options.tokenizer.seed = static_cast<unsigned>(args.intValue("seed", 1));
    options.model.vocabSize = options.tokenizer.vocabSize;
    options.model.dModel = args.intValue("d-model", options.model.dModel);
    options.model.heads = args.intValue("heads", options.model.heads);
    options.model.encoderLayers = args.intValue("encoder-layers", options.model.encoderLayers);
    options.model.decoderLayers = args.intValue("decoder-layers", options.model.decoderLayers);
    options.model.dFf = args.intValue("d-ff", options.model.dFf);
    options.model.dropout = args.doubleValue("dropout", options.model.dropout);
    options.maxEpochs = args.intValue("epochs", options.maxEpochs);
    options.timeBudgetSeconds =
        args.has("time-budget") ? parseDuration(args.value("time-budget")) : 0;
    options.maxBatchTokens = args.intValue("batch-tokens", options.maxBatchTokens);
    options.maxSentenceTokens = args.intValue("max-sentence-tokens", options.maxSentenceTokens);
    options.learningRate = args.doubleValue("lr", options.learningRate);
    options.warmupSteps = args.intValue("warmup", options.warmupSteps);
    options.labelSmoothing = args.doubleValue("label-smoothing", options.labelSmoothing);
    options.clipNorm = args.doubleValue("clip", options.clipNorm);
    options.patience = args.intValue("patience", options.patience);
    options.seed = static_cast<uint64_t>(args.intValue("seed", 1));
    options.phraseTokenShare = args.doubleValue("phrase-share", options.phraseTokenShare);
    options.checkpointDir = args.value("checkpoint");
    options.resume = args.has("resume");
    options.initFrom = args.value("init-from");
    if (options.resume && options.checkpointDir.empty()) {
        throw UsageError("--resume needs --checkpoint DIR");
    }

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
    return 0;
}

}  // namespace moewb::cli
