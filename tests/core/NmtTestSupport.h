#pragma once
// Tiny real models for the nmt tests: 16 sentence pairs, a SentencePiece model trained on them,
// and a Transformer of d_model 32. Small enough to train in seconds on 2 cores.

#include "SixteenPairs.h"

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/util/Feedback.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace moewb::test {

inline SentencePieceModel tinyTokenizer(int vocabSize = 120) {
    std::vector<std::string> text;
    for (const auto& p : sixteenPairs()) {
        text.push_back(p.source);
        text.push_back(p.target);
    }
    Feedback feedback;
    SentencePieceTrainOptions options;
    options.vocabSize = vocabSize;
    return SentencePieceModel::train(text, options, feedback);
}

inline TransformerConfig tinyConfig(int vocabSize) {
    TransformerConfig c;
    c.vocabSize = vocabSize;
    c.dModel = 32;
    c.heads = 2;
    c.encoderLayers = 2;
    c.decoderLayers = 2;
    c.dFf = 64;
    c.dropout = 0.0;
    c.maxPositions = 64;
    return c;
}

// An untrained (seeded) tiny model: enough for equivalence tests.
inline std::shared_ptr<NmtModel> tinyModel(uint64_t seed = 7) {
    torch::manual_seed(seed);
    auto tokenizer = tinyTokenizer();
    auto model =
        std::make_shared<NmtModel>(tinyConfig(tokenizer.vocabSize()), std::move(tokenizer));
    model->transformer()->eval();
    return model;
}

}  // namespace moewb::test

#include "moewb/nmt/Trainer.h"

namespace moewb::test {

// Trains the tiny model on the 16 pairs until it reproduces them (the overfitting check).
inline TrainingResult trainTinyModel(int epochs = 300, const std::string& checkpointDir = {}) {
    TrainingData data;
    data.sentences = sixteenPairs();
    data.valid = sixteenPairs();
    data.description = "16 test pairs";
    TrainingOptions options;
    options.model = tinyConfig(120);
    options.tokenizer.vocabSize = 120;
    options.maxBatchTokens = 240;
    options.maxSentenceTokens = 40;
    options.maxEpochs = epochs;
    options.learningRate = 5e-3;
    options.labelSmoothing = 0.0;
    options.patience = 1000;
    options.checkpointDir = checkpointDir;
    options.resume = !checkpointDir.empty();
    Feedback feedback;
    return trainModel(data, options, feedback);
}

}  // namespace moewb::test
