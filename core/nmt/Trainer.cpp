#include "moewb/nmt/Trainer.h"

#include "TokenBatches.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/CheckpointFiles.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"
#include "moewb/util/PhaseTimes.h"

#include <torch/torch.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>

namespace moewb {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kStateVersion = 1;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string formatDuration(double seconds) {
    const int s = static_cast<int>(seconds + 0.5);
    std::ostringstream out;
    if (s >= 3600) {
        out << s / 3600 << " h " << (s % 3600) / 60 << " min";
    } else if (s >= 60) {
        out << s / 60 << " min " << s % 60 << " s";
    } else {
        out << s << " s";
    }
    return out.str();
}

nlohmann::json toJson(const EpochRecord& e) {
    return {{"epoch", e.epoch},
            {"steps", e.steps},
            {"train_loss", e.trainLoss},
            {"valid_loss", e.validLoss},
            {"tokens_per_second", e.tokensPerSecond},
            {"seconds", e.seconds},
            {"partial", e.partial}};
}

EpochRecord epochFromJson(const nlohmann::json& j) {
    EpochRecord e;
    e.epoch = jsonInteger<int>(j.at("epoch"), "epoch");
    e.steps = jsonInteger<int64_t>(j.at("steps"), "steps");
    e.trainLoss = j.at("train_loss");
    e.validLoss = j.at("valid_loss");
    e.tokensPerSecond = j.at("tokens_per_second");
    e.seconds = j.at("seconds");
    e.partial = j.value("partial", false);
    return e;
}

// Summed loss over the batch's real target tokens. Padding positions are dropped before the
// output projection: it and the softmax over 8000 pieces are the largest single cost.
torch::Tensor batchLoss(Transformer& transformer, const TokenBatch& batch, double smoothing) {
    const auto srcMask = transformer->sourceMask(batch.source);
    const auto memory = transformer->encode(batch.source, srcMask);
    const auto states = transformer->decodeStates(batch.targetIn, memory, srcMask);
    const auto targets = batch.targetOut.reshape({-1});
    const auto real = targets.ne(SentencePieceModel::kPadId).nonzero().squeeze(1);
    const auto logits =
        transformer->project(states.reshape({-1, states.size(-1)}).index_select(0, real));
    namespace F = torch::nn::functional;
    return F::cross_entropy(
        logits, targets.index_select(0, real),
        F::CrossEntropyFuncOptions().label_smoothing(smoothing).reduction(torch::kSum));
}

void ensureDirectory(const std::string& dir) {
    if (dir.empty() || fileExists(dir)) {
        return;
    }
    if (::mkdir(dir.c_str(), 0755) != 0) {
        throw std::runtime_error("cannot create checkpoint folder '" + dir + "'");
    }
}

void saveOptimizer(torch::optim::Adam& optimizer, const std::string& path) {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeFileAtomic(path, bytes.str());
}

}  // namespace

double evaluateLoss(NmtModel& model, const std::vector<SentencePair>& pairs, int maxBatchTokens,
                    Feedback& feedback) {
    const auto tokens = tokenizePairs(model.tokenizer(), pairs, model.config().maxPositions - 2);
    std::vector<const TokenPair*> pointers;
    for (const auto& t : tokens) {
        pointers.push_back(&t);
    }
    const auto batches = makeBatches(pointers, maxBatchTokens, nullptr);
    auto& transformer = model.transformer();
    const bool wasTraining = transformer->is_training();
    transformer->eval();
    torch::NoGradGuard noGrad;
    double loss = 0;
    int64_t count = 0;
    for (const auto& batch : batches) {
        feedback.throwIfCancelled();
        loss += batchLoss(transformer, batch, 0.0).item<double>();
        count += batch.targetTokens;
    }
    transformer->train(wasTraining);
    return count > 0 ? loss / static_cast<double>(count) : 0.0;
}

TrainingResult trainModel(const TrainingData& data, const TrainingOptions& options,
                          Feedback& feedback) {
    if (data.sentences.empty() && data.phrases.empty()) {
        throw std::invalid_argument("no training pairs: give a corpus with sentence pairs");
    }
    if (data.valid.empty()) {
        throw std::invalid_argument("no validation pairs: early stopping needs a validation set");
    }
    if (options.maxBatchTokens < 2 * options.maxSentenceTokens + 2) {
        throw std::invalid_argument("max batch tokens must be at least twice the sentence limit");
    }
    options.model.validate();
    const auto start = Clock::now();
    const std::string dir = options.checkpointDir;
    const std::string statePath = dir + "/state.json";
    // The files of one checkpoint, written as a set (CheckpointFiles.h): a run killed while
    // writing one left it whole or not at all, and this makes it so before anything is read.
    const std::vector<std::string> checkpointFiles = {"best.moewb", "last.moewb", "optimizer.pt"};
    if (!dir.empty() && fileExists(dir)) {
        recoverCheckpoint(dir, "state.json", checkpointFiles);
    }
    const bool resuming = options.resume && !dir.empty() && fileExists(statePath);

    TrainingResult result;
    std::shared_ptr<NmtModel> model;
    nlohmann::json state;
    double previousSeconds = 0;
    double bestValid = 1e30;
    int sinceBest = 0;
    int64_t step = 0;
    int firstEpoch = 1;
    if (resuming) {
        state = readJsonFile(statePath, "moewb-training-state", kStateVersion);
        try {
            if (!state.at("epochs").is_array()) {
                throw std::invalid_argument("'epochs' is not an array");
            }
            for (const auto& e : state.at("epochs")) {
                result.epochs.push_back(epochFromJson(e));
            }
            previousSeconds = state.at("seconds").get<double>();
            bestValid = state.at("best_valid_loss").get<double>();
            sinceBest = jsonInteger<int>(state.at("epochs_since_best"), "epochs_since_best");
            step = jsonInteger<int64_t>(state.at("step"), "step");
            firstEpoch = jsonInteger<int>(state.at("epoch"), "epoch") + 1;
            if (sinceBest < 0 || step < 0 || firstEpoch < 2) {
                throw std::invalid_argument("negative epoch, step or epochs since best");
            }
        } catch (const std::exception& error) {
            // nlohmann's messages name no file; a damaged state must say which one.
            throw std::runtime_error(statePath + ": not a training checkpoint state (" +
                                     std::string(error.what()) +
                                     "); remove the folder to start over");
        }
        model = NmtModel::load(dir + "/last.moewb");
        feedback.setProgress(0.0, "resuming after epoch " + std::to_string(firstEpoch - 1));
    } else if (!options.initFrom.empty()) {
        // Warm start from an earlier model (its tokenizer and weights; a fresh optimizer).
        model = NmtModel::load(options.initFrom);
        if (model->config().dModel != options.model.dModel ||
            model->config().dFf != options.model.dFf) {
            feedback.setProgress(0.0,
                                 "continuing " + options.initFrom + " with its own configuration");
        }
        previousSeconds = model->record().value("training_seconds", 0.0);
        torch::manual_seed(options.seed);
    } else {
        torch::manual_seed(options.seed);
        // The vocabulary follows the mixture the model sees: all sentences, and phrases only up
        // to their per-epoch share (by words), so the 600k Ding phrases do not dominate it.
        std::vector<std::string> text;
        int64_t sentenceWords = 0;
        for (const auto& p : data.sentences) {
            text.push_back(p.source);
            text.push_back(p.target);
            sentenceWords += 1 + std::count(p.target.begin(), p.target.end(), ' ');
        }
        const double share = options.phraseTokenShare;
        const double phraseCap = share >= 1.0 ? 1e18 : share / (1.0 - share) * sentenceWords;
        std::vector<std::size_t> order(data.phrases.size());
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 phraseRng(options.seed);
        std::shuffle(order.begin(), order.end(), phraseRng);
        double phraseWords = 0;
        for (std::size_t i : order) {
            const auto& p = data.phrases[i];
            phraseWords += 1 + std::count(p.target.begin(), p.target.end(), ' ');
            if (phraseWords > phraseCap) {
                break;
            }
            text.push_back(p.source);
            text.push_back(p.target);
        }
        SubFeedback tokenizerFeedback(feedback, 0.0, 0.02);
        auto tokenizer = SentencePieceModel::train(text, options.tokenizer, tokenizerFeedback);
        TransformerConfig config = options.model;
        config.vocabSize = std::max(config.vocabSize, tokenizer.vocabSize());
        model = std::make_shared<NmtModel>(config, std::move(tokenizer));
    }
    auto& transformer = model->transformer();
    feedback.setProgress(0.02, "tokenizing the training data");
    auto tokenizing = std::make_unique<PhaseTimes::Scope>(result.phases, "tokenizing");
    const auto sentences =
        tokenizePairs(model->tokenizer(), data.sentences, options.maxSentenceTokens);
    const auto phrases = tokenizePairs(model->tokenizer(), data.phrases, options.maxSentenceTokens);
    tokenizing.reset();
    int64_t sentenceTargetTokens = 0;
    for (const auto& t : sentences) {
        sentenceTargetTokens += static_cast<int64_t>(t.target.size()) + 1;
    }
    std::vector<torch::Tensor> bestWeights;  // the best epoch's weights when there is no folder

    torch::optim::Adam optimizer(
        transformer->parameters(),
        torch::optim::AdamOptions(options.learningRate).betas({0.9, 0.98}).eps(1e-9));
    if (resuming && fileExists(dir + "/optimizer.pt")) {
        torch::serialize::InputArchive archive;
        archive.load_from(dir + "/optimizer.pt");
        optimizer.load(archive);
    }
    ensureDirectory(dir);

    int warmup = options.warmupSteps;
    result.stopReason = "max epochs";
    for (int epoch = firstEpoch; epoch <= options.maxEpochs; ++epoch) {
        auto batching = std::make_unique<PhaseTimes::Scope>(result.phases, "batching");
        std::mt19937_64 rng(options.seed * 1000003ULL + static_cast<uint64_t>(epoch));
        torch::manual_seed(options.seed + static_cast<uint64_t>(epoch));
        // Phrases are resampled each epoch; they are matched back to tokens by index.
        std::vector<const TokenPair*> epochPairs;
        for (const auto& t : sentences) {
            epochPairs.push_back(&t);
        }
        if (!phrases.empty()) {
            std::vector<std::size_t> order(phrases.size());
            std::iota(order.begin(), order.end(), 0);
            std::shuffle(order.begin(), order.end(), rng);
            const double share = options.phraseTokenShare;
            // phrase target tokens <= share x (sentence + phrase target tokens)
            const double cap =
                share >= 1.0 ? 1e18
                             : share / (1.0 - share) * static_cast<double>(sentenceTargetTokens);
            double used = 0;
            for (std::size_t i : order) {
                const double w = static_cast<double>(phrases[i].target.size()) + 1.0;
                if (used + w > cap) {
                    break;
                }
                used += w;
                epochPairs.push_back(&phrases[i]);
            }
        }
        auto batches = makeBatches(epochPairs, options.maxBatchTokens, &rng);
        batching.reset();
        // "4000 steps or fewer for small data": never warm up for longer than one epoch.
        warmup = std::max(1, std::min<int>(options.warmupSteps, static_cast<int>(batches.size())));

        transformer->train();
        EpochRecord record;
        record.epoch = epoch;
        const auto epochStart = Clock::now();
        double lossSum = 0;
        int64_t lossTokens = 0, seenTokens = 0;
        for (std::size_t b = 0; b < batches.size(); ++b) {
            feedback.throwIfCancelled();
            const auto& batch = batches[b];
            ++step;
            const double lr =
                options.learningRate * std::min(static_cast<double>(step) / warmup,
                                                std::sqrt(static_cast<double>(warmup) / step));
            for (auto& group : optimizer.param_groups()) {
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            }
            torch::Tensor loss;
            {
                const auto timed = result.phases.measure("forward + loss");
                optimizer.zero_grad();
                loss = batchLoss(transformer, batch, options.labelSmoothing);
            }
            feedback.throwIfCancelled();
            {
                const auto timed = result.phases.measure("backward");
                (loss / static_cast<double>(batch.targetTokens)).backward();
            }
            {
                const auto timed = result.phases.measure("clip + optimizer");
                if (options.clipNorm > 0) {
                    torch::nn::utils::clip_grad_norm_(transformer->parameters(), options.clipNorm);
                }
                optimizer.step();
            }
            lossSum += loss.item<double>();
            lossTokens += batch.targetTokens;
            seenTokens += batch.tokens;
            result.trainedTokens += batch.tokens;
            ++record.steps;

            const double elapsed = previousSeconds + secondsSince(start);
            const double epochSeconds = secondsSince(epochStart);
            const double tps = seenTokens / std::max(epochSeconds, 1e-9);
            const double epochFraction = static_cast<double>(b + 1) / batches.size();
            double fraction, eta;
            if (options.timeBudgetSeconds > 0) {
                fraction = elapsed / options.timeBudgetSeconds;
                eta = options.timeBudgetSeconds - elapsed;
            } else {
                const double epochsDone = (epoch - 1) + epochFraction;
                fraction = epochsDone / options.maxEpochs;
                eta = epochSeconds / epochFraction * (options.maxEpochs - epochsDone);
            }
            std::ostringstream message;
            message.precision(3);
            message << "epoch " << epoch << " step " << step << " loss "
                    << lossSum / std::max<int64_t>(lossTokens, 1) << " " << static_cast<int>(tps)
                    << " tok/s ETA " << formatDuration(std::max(0.0, eta));
            feedback.setProgress(0.02 + 0.98 * std::min(fraction, 1.0), message.str());
            if (options.timeBudgetSeconds > 0 && elapsed >= options.timeBudgetSeconds) {
                record.partial = b + 1 < batches.size();
                break;
            }
        }
        record.seconds = secondsSince(epochStart);
        record.trainLoss = lossSum / std::max<int64_t>(lossTokens, 1);
        record.tokensPerSecond = seenTokens / std::max(record.seconds, 1e-9);
        {
            const auto timed = result.phases.measure("validation");
            SubFeedback validFeedback(feedback, feedback.progress(), feedback.progress());
            record.validLoss =
                evaluateLoss(*model, data.valid, options.maxBatchTokens, validFeedback);
        }
        result.epochs.push_back(record);
        const bool improved = record.validLoss < bestValid;
        if (improved) {
            bestValid = record.validLoss;
            sinceBest = 0;
        } else {
            ++sinceBest;
        }
        const double elapsed = previousSeconds + secondsSince(start);
        nlohmann::json epochs = nlohmann::json::array();
        for (const auto& e : result.epochs) {
            epochs.push_back(toJson(e));
        }
        model->record() = {{"data", data.description},
                           {"seed", options.seed},
                           {"epochs", epochs},
                           {"training_seconds", elapsed},
                           {"best_valid_loss", bestValid}};
        auto checkpointing = std::make_unique<PhaseTimes::Scope>(result.phases, "checkpoints");
        if (!dir.empty()) {
            if (improved) {
                model->save(pendingCheckpointPath(dir + "/best.moewb"));
            }
            model->save(pendingCheckpointPath(dir + "/last.moewb"));
            saveOptimizer(optimizer, pendingCheckpointPath(dir + "/optimizer.pt"));
            writeJsonFile(pendingCheckpointPath(statePath),
                          {{"epoch", epoch},
                           {"step", step},
                           {"seconds", elapsed},
                           {"best_valid_loss", bestValid},
                           {"epochs_since_best", sinceBest},
                           {"epochs", epochs}},
                          "moewb-training-state", kStateVersion);
            commitCheckpoint(dir, "state.json", checkpointFiles);
        } else if (improved) {
            bestWeights.clear();
            for (const auto& p : transformer->parameters()) {
                bestWeights.push_back(p.detach().clone());
            }
        }
        checkpointing.reset();
        if (options.timeBudgetSeconds > 0 && elapsed >= options.timeBudgetSeconds) {
            result.stopReason = "time budget";
            break;
        }
        if (sinceBest >= options.patience) {
            result.stopReason = "early stop";
            break;
        }
    }
    result.seconds = previousSeconds + secondsSince(start);
    result.runSeconds = secondsSince(start);
    if (!dir.empty() && fileExists(dir + "/best.moewb")) {
        result.model = NmtModel::load(dir + "/best.moewb");
        result.model->record()["stop_reason"] = result.stopReason;
        result.model->record()["epochs"] = model->record()["epochs"];
        result.model->record()["training_seconds"] = result.seconds;
    } else {
        if (!bestWeights.empty()) {
            torch::NoGradGuard noGrad;
            auto parameters = transformer->parameters();
            for (std::size_t i = 0; i < parameters.size(); ++i) {
                parameters[i].copy_(bestWeights[i]);
            }
        }
        result.model = model;
        result.model->record()["stop_reason"] = result.stopReason;
    }
    result.model->transformer()->eval();
    feedback.setProgress(1.0, "training finished (" + result.stopReason + ")");
    return result;
}

}  // namespace moewb
