#pragma once
// MoE fine-tuning with distillation (docs/moe-quality.md, "Fine-tuning with distillation"): the
// dense model is the frozen teacher, the student is a copy of it whose FFNs run only K experts per
// token (the unselected neurons give zero and get no gradient). Experts are chosen at every step
// from the student's current weights (the oracle rule of docs/algorithms.md, "Routers": largest
// positive pre-activation mass), or by a fixed router, or by a noisy top-K gate trained with them
// (FinetuneOptions::routing). Loss = kdWeight × KL(teacher ‖ student) over real target positions +
// ceWeight × cross-entropy on the references + mseWeight × the mean squared difference of the FFN
// outputs. The result is a new model; the dense one is never modified.

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/util/Feedback.h"
#include "moewb/util/PhaseTimes.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moewb {

// One point of the live curve: every training step, and BLEU at the checks.
struct FinetunePoint {
    int64_t step = 0;            // optimizer steps so far (resumed runs included)
    double seconds = 0;          // training time so far (resumed runs included)
    int k = 0;                   // experts per token the student ran at this step
    double loss = 0;             // weighted total loss per target token
    double kd = 0;               // KL(teacher ‖ student) per target token
    double ce = 0;               // cross-entropy on the reference per target token
    double mse = 0;              // mean squared FFN-output difference (0 when mseWeight is 0)
    double bleu = -1;            // greedy BLEU at checkK on the check sentences; -1 between checks
    double tokensPerSecond = 0;  // source + target tokens per second of this run so far
    double balance = 0;          // joint gate: summed CV² of importance and load over layers
};

// How fine-tuning picks each token's K experts (TopKTrainingFfn.h has the details).
enum class TrainingRouting {
    CurrentWeights,  // largest relu mass of the student's own hidden layer (the oracle rule)
    Router,          // a fixed router given in FinetuneOptions::router (e.g. the dense model's MLP)
    JointGate,       // a noisy top-K gate trained with the experts (Shazeer et al. 2017)
};
std::string trainingRoutingName(TrainingRouting routing);  // "weights", "router", "gate"

struct FinetuneOptions {
    // Experts per token in each FFN layer (encoder layers first), the K the model is tuned for;
    // empty = N / 4 everywhere (default empty).
    std::vector<int> layerK;
    // Each step draws its K (same in every layer) from this list instead of layerK, so that one
    // model serves several K; empty = always layerK (default empty).
    std::vector<int> mixedK;
    double kdWeight = 1.0;           // weight of KL(teacher ‖ student) (default 1.0)
    double ceWeight = 0.5;           // weight of the reference cross-entropy (default 0.5)
    double mseWeight = 0.0;          // weight of the per-layer FFN-output MSE (default 0)
    double learningRate = 1e-4;      // constant Adam learning rate (default 1e-4)
    int maxBatchTokens = 3000;       // padded source + target tokens per batch (default 3000)
    int maxSentenceTokens = 100;     // longer pairs are skipped (default 100)
    double clipNorm = 1.0;           // gradient-norm clip; 0 = off (default 1.0)
    double timeBudgetSeconds = 0;    // stop after this much training time; 0 = none (default 0)
    int maxSteps = 0;                // stop after this many steps; 0 = none (default 0)
    int maxEpochs = 10;              // upper bound on passes over the data (default 10)
    uint64_t seed = 1;               // batch order and dropout (default 1)
    int checkEvery = 100;            // steps between BLEU checks; 0 = only at the end (default 100)
    int checkSentences = 100;        // check sentences (first ones of the valid set) (default 100)
    int checkK = 0;                  // K of the BLEU checks; 0 = layerK (default 0)
    std::string checkpointDir;       // checkpoint folder; empty = none (default "")
    int checkpointEverySteps = 100;  // steps between checkpoints (default 100)
    bool resume = false;             // continue from checkpointDir if it holds one (default false)
    TrainingRouting routing = TrainingRouting::CurrentWeights;  // expert choice (default weights)
    std::shared_ptr<const RouterSet> router;  // Router routing: one router per layer (default none)
    double balanceWeight = 0.1;               // joint gate: weight of its CV² losses (default 0.1)
    double gateLearningRate = 1e-3;           // joint gate: its Adam learning rate (default 1e-3)
    // Called on the training thread after every step and check (the GUI's live curve).
    std::function<void(const FinetunePoint&)> onPoint;
};

struct FinetuneData {
    std::vector<SentencePair> train;  // pairs the student learns on
    std::vector<SentencePair> valid;  // the first checkSentences give the BLEU checks
    std::string description;          // recorded in the model file
};

struct FinetuneResult {
    std::shared_ptr<NmtModel> model;   // the fine-tuned student (dense weights, run it as MoE)
    std::vector<FinetunePoint> curve;  // one point per step, resumed runs included
    std::string stopReason;            // "time budget", "max steps", "max epochs"
    double seconds = 0;                // training time across runs
    double tokensPerSecond = 0;        // source + target tokens per second of training
    PhaseTimes phases;                 // where this run's time went (teacher, backward, …)
    std::vector<torch::Tensor> gate;   // joint gate: learnt weights per layer [N, d], else empty
};

// Fine-tunes a copy of `dense` for the partition (one ExpertPartition per FFN layer). Throws
// std::invalid_argument on bad options or data, OperationCancelled when cancelled: then `dense`,
// and the last checkpoint, stay as they were.
FinetuneResult finetuneMoe(const NmtModel& dense, const PartitionSet& partition,
                           const FinetuneData& data, const FinetuneOptions& options,
                           Feedback& feedback);

// What a fine-tuning checkpoint folder holds so far (for showing and resuming a run).
struct FinetuneCheckpoint {
    int64_t step = 0;                  // optimizer steps done
    double seconds = 0;                // training time so far
    std::vector<FinetunePoint> curve;  // every step's point
    int epoch = 1;                     // the epoch to resume in (1-based)
    int64_t batch = 0;                 // its next batch
};
// Reads checkpointDir/state.json; nothing when there is none. Throws std::runtime_error naming
// the file when it is damaged or of a newer format.
std::optional<FinetuneCheckpoint> readFinetuneCheckpoint(const std::string& checkpointDir);

// Installs the training-time top-K FFN of the fine-tuner on `model` (K per layer; experts chosen
// from the model's own weights), or removes it with an empty `layerK`. Exposed so that tests and
// checks can run a model exactly as the fine-tuner sees it.
void installTopKTraining(NmtModel& model, const PartitionSet& partition,
                         const std::vector<int>& layerK);

}  // namespace moewb
