#pragma once
// Training of the Transformer (docs/algorithms.md, "Training"): token-bucketed batches, Adam with
// inverse-sqrt warm-up, label smoothing, gradient clipping, seeded; a checkpoint each epoch that a
// later run resumes from (docs/formats.md, "Training checkpoint"); early stop on validation loss; a
// time budget.

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/text/SentencePieceModel.h"
#include "moewb/util/Feedback.h"
#include "moewb/util/PhaseTimes.h"

#include <memory>
#include <string>
#include <vector>

namespace moewb {

struct TrainingOptions {
    TransformerConfig model;              // model size (default: the shipped model's)
    SentencePieceTrainOptions tokenizer;  // joint vocabulary (default 8000 unigram pieces)
    int maxBatchTokens = 3000;            // padded source+target tokens per batch (default 3000)
    int maxSentenceTokens = 100;          // longer pairs are skipped in training (default 100)
    int maxEpochs = 50;                   // upper bound on epochs (default 50)
    double timeBudgetSeconds = 0;  // stop after this much training time; 0 = none (default 0)
    double learningRate = 1e-3;    // peak learning rate after warm-up (default 1e-3)
    int warmupSteps = 4000;        // warm-up steps, capped at one epoch's steps (default 4000)
    double labelSmoothing = 0.1;   // label smoothing (default 0.1)
    double clipNorm = 1.0;         // gradient-norm clip; 0 = off (default 1.0)
    double phraseTokenShare =
        0.25;                   // max share of an epoch's target tokens from phrases (default 0.25)
    int patience = 3;           // epochs without valid improvement before stopping (default 3)
    uint64_t seed = 1;          // seed of initialisation, shuffling, dropout (default 1)
    std::string checkpointDir;  // where to keep per-epoch checkpoints; empty = none (default "")
    bool resume = false;        // continue from checkpointDir if it holds one (default false)
    std::string initFrom;  // warm start from this model file (tokenizer + weights) (default "")
};

struct TrainingData {
    std::vector<SentencePair> sentences;  // always used in full each epoch
    std::vector<SentencePair> phrases;    // sampled each epoch up to phraseTokenShare
    std::vector<SentencePair> valid;      // validation set (early stopping, best model)
    std::string description;              // recorded in the model file
};

struct EpochRecord {
    int epoch = 0;
    int64_t steps = 0;           // optimizer steps in this epoch
    double trainLoss = 0;        // label-smoothed loss per target token
    double validLoss = 0;        // plain cross-entropy per target token
    double tokensPerSecond = 0;  // source+target (unpadded) tokens per second of training
    double seconds = 0;          // wall time of the epoch
    bool partial = false;        // cut short by the time budget
};

struct TrainingResult {
    std::shared_ptr<NmtModel> model;  // weights of the best validation epoch
    std::vector<EpochRecord> epochs;  // every epoch, including ones from resumed runs
    std::string stopReason;           // "max epochs", "time budget", "early stop"
    double seconds = 0;               // total training time across runs
    // Where this run's time went: tokenizing, batching, forward + loss, backward,
    // clip + optimizer, validation, checkpoints (this run only, not resumed ones).
    PhaseTimes phases;
    int64_t trainedTokens = 0;  // source+target tokens trained on in this run (unpadded)
    double runSeconds = 0;      // wall time of this run, data preparation to the last checkpoint
};

// Trains a tokenizer (unless resuming) and a model. Throws std::invalid_argument on empty data,
// OperationCancelled when cancelled (the last checkpoint stays intact).
TrainingResult trainModel(const TrainingData& data, const TrainingOptions& options,
                          Feedback& feedback);

// Mean per-token cross-entropy of the model on pairs (teacher forced, no label smoothing).
double evaluateLoss(NmtModel& model, const std::vector<SentencePair>& pairs, int maxBatchTokens,
                    Feedback& feedback);

}  // namespace moewb
