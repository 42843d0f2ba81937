#include "moewb/moe/MoeFinetuner.h"

#include "TopKTrainingFfn.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/CheckpointFiles.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"
#include "nmt/TokenBatches.h"

#include <torch/torch.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <sstream>

namespace moewb {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kStateVersion = 1;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::shared_ptr<TopKTrainingFfn>> installStudent(NmtModel& model,
                                                             const PartitionSet& partition,
                                                             const std::vector<int>& layerK) {
    auto ffns = model.transformer()->feedForwards();
    std::vector<std::shared_ptr<TopKTrainingFfn>> layers;
    for (std::size_t l = 0; l < ffns.size(); ++l) {
        layers.push_back(std::make_shared<TopKTrainingFfn>(partition.layers[l], layerK[l]));
        ffns[l]->setOverride(layers.back());
    }
    return layers;
}

void ensureDirectory(const std::string& dir) {
    if (!dir.empty() && !fileExists(dir) && ::mkdir(dir.c_str(), 0755) != 0) {
        throw std::runtime_error("cannot create the checkpoint folder '" + dir +
                                 "': check that its parent exists and is writable");
    }
}

nlohmann::json pointToJson(const FinetunePoint& p) {
    return {p.step, p.seconds,         p.k,      p.loss, p.kd, p.ce, p.mse,
            p.bleu, p.tokensPerSecond, p.balance};
}

FinetunePoint pointFromJson(const nlohmann::json& j) {
    FinetunePoint p;
    if (!j.is_array()) {
        throw std::invalid_argument("a curve point is not an array");
    }
    p.step = jsonInteger<int64_t>(j.at(0), "step");
    p.seconds = j.at(1);
    p.k = jsonInteger<int>(j.at(2), "k");
    p.loss = j.at(3);
    p.kd = j.at(4);
    p.ce = j.at(5);
    p.mse = j.at(6);
    p.bleu = j.at(7);
    p.tokensPerSecond = j.at(8);
    p.balance = j.size() > 9 ? j.at(9).get<double>() : 0.0;  // written since the joint gate
    return p;
}

std::string formatEta(double seconds) {
    const int s = static_cast<int>(std::max(0.0, seconds) + 0.5);
    std::ostringstream out;
    if (s >= 60) {
        out << s / 60 << " min " << s % 60 << " s";
    } else {
        out << s << " s";
    }
    return out.str();
}

}  // namespace

std::string trainingRoutingName(TrainingRouting routing) {
    switch (routing) {
        case TrainingRouting::Router:
            return "router";
        case TrainingRouting::JointGate:
            return "gate";
        default:
            return "weights";
    }
}

std::optional<FinetuneCheckpoint> readFinetuneCheckpoint(const std::string& checkpointDir) {
    const std::string path = checkpointDir + "/state.json";
    if (!fileExists(path)) {
        return std::nullopt;
    }
    const auto state = readJsonFile(path, "moewb-finetune-state", kStateVersion);
    FinetuneCheckpoint checkpoint;
    try {
        checkpoint.step = jsonInteger<int64_t>(state.at("step"), "step");
        checkpoint.seconds = state.at("seconds");
        checkpoint.epoch = jsonInteger<int>(state.value("epoch", Json(1)), "epoch");
        checkpoint.batch = jsonInteger<int64_t>(state.value("batch", Json(0)), "batch");
        if (checkpoint.step < 0 || checkpoint.epoch < 1 || checkpoint.batch < 0) {
            throw std::invalid_argument("negative step or batch, or epoch below 1");
        }
        if (!state.at("curve").is_array()) {
            throw std::invalid_argument("'curve' is not an array");
        }
        for (const auto& p : state.at("curve")) {
            checkpoint.curve.push_back(pointFromJson(p));
        }
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(path + ": not a fine-tuning checkpoint state (" + error.what() +
                                 "); remove the folder to start over");
    } catch (const std::invalid_argument& error) {
        throw std::runtime_error(path + ": not a fine-tuning checkpoint state (" + error.what() +
                                 "); remove the folder to start over");
    }
    return checkpoint;
}

void installTopKTraining(NmtModel& model, const PartitionSet& partition,
                         const std::vector<int>& layerK) {
    if (layerK.empty()) {
        for (auto& ffn : model.transformer()->feedForwards()) {
            ffn->setOverride(nullptr);
        }
        return;
    }
    if (layerK.size() != partition.layers.size()) {
        throw std::invalid_argument("give one K per FFN layer");
    }
    installStudent(model, partition, layerK);
}

FinetuneResult finetuneMoe(const NmtModel& dense, const PartitionSet& partition,
                           const FinetuneData& data, const FinetuneOptions& options,
                           Feedback& feedback) {
    const auto ffnCount = dense.transformer()->feedForwards().size();
    if (partition.layers.size() != ffnCount) {
        throw std::invalid_argument("the partition has " + std::to_string(partition.layers.size()) +
                                    " layers, the model " + std::to_string(ffnCount) +
                                    " FFNs: partition this model again");
    }
    for (const auto& layer : partition.layers) {
        layer.validate(dense.config().dFf);
    }
    const int n = partition.layers[0].numExperts;
    std::vector<int> layerK = options.layerK;
    if (layerK.empty()) {
        layerK.assign(ffnCount, std::max(1, n / 4));
    }
    if (layerK.size() != ffnCount) {
        throw std::invalid_argument("give one K per FFN layer (" + std::to_string(ffnCount) +
                                    "), not " + std::to_string(layerK.size()));
    }
    auto checkRange = [&](int k) {
        if (k < 1 || k > n) {
            throw std::invalid_argument("K must be between 1 and N = " + std::to_string(n) +
                                        ", not " + std::to_string(k));
        }
    };
    std::for_each(layerK.begin(), layerK.end(), checkRange);
    std::for_each(options.mixedK.begin(), options.mixedK.end(), checkRange);
    if (options.checkK != 0) {
        checkRange(options.checkK);
    }
    if (data.train.empty()) {
        throw std::invalid_argument("no training pairs: give a parallel corpus to fine-tune on");
    }
    if (options.maxBatchTokens < 2 * options.maxSentenceTokens + 2) {
        throw std::invalid_argument("max batch tokens must be at least twice the sentence limit");
    }
    if (options.routing == TrainingRouting::Router &&
        (!options.router || options.router->layers.size() != ffnCount)) {
        throw std::invalid_argument(
            "routing by a router needs a router over this partition with one layer per FFN");
    }
    if (options.balanceWeight < 0 || options.gateLearningRate <= 0) {
        throw std::invalid_argument("the balance weight must be >= 0 and the gate's rate > 0");
    }
    if (options.kdWeight < 0 || options.ceWeight < 0 || options.mseWeight < 0 ||
        options.kdWeight + options.ceWeight + options.mseWeight <= 0) {
        throw std::invalid_argument("the loss weights must be >= 0 and not all 0");
    }

    const auto start = Clock::now();
    const std::string dir = options.checkpointDir;
    const std::string statePath = dir + "/state.json";
    // The files of one checkpoint, written as a set (CheckpointFiles.h): a run killed while
    // writing one left it whole or not at all, and this makes it so before anything is read.
    const std::vector<std::string> checkpointFiles = {"last.moewb", "optimizer.pt", "gate.pt"};
    if (!dir.empty() && fileExists(dir)) {
        recoverCheckpoint(dir, "state.json", checkpointFiles);
    }
    const bool resuming = options.resume && !dir.empty() && fileExists(statePath);

    FinetuneResult result;
    std::shared_ptr<NmtModel> student;
    double previousSeconds = 0;
    int64_t step = 0;
    int firstEpoch = 1;
    std::size_t firstBatch = 0;
    if (resuming) {
        const auto checkpoint = readFinetuneCheckpoint(dir);
        student = NmtModel::load(dir + "/last.moewb");
        if (student->config().dFf != dense.config().dFf ||
            student->config().dModel != dense.config().dModel) {
            throw std::runtime_error("the checkpoint in '" + dir +
                                     "' is of another model: remove it or drop --resume");
        }
        result.curve = checkpoint->curve;
        previousSeconds = checkpoint->seconds;
        step = checkpoint->step;
        firstEpoch = checkpoint->epoch;
        firstBatch = static_cast<std::size_t>(checkpoint->batch);
        feedback.setProgress(0.0, "resuming after step " + std::to_string(step));
    } else {
        student = dense.clone();
    }
    // The teacher is a private copy too: its FFNs get recording overrides and `dense` is shared.
    auto teacher = dense.clone();
    teacher->transformer()->eval();
    for (const auto& p : teacher->transformer()->parameters()) {
        p.set_requires_grad(false);
    }
    std::vector<std::shared_ptr<RecordingDenseFfn>> teacherFfns;
    if (options.mseWeight > 0) {
        for (auto& ffn : teacher->transformer()->feedForwards()) {
            teacherFfns.push_back(std::make_shared<RecordingDenseFfn>());
            ffn->setOverride(teacherFfns.back());
        }
    }
    auto studentFfns = installStudent(*student, partition, layerK);
    for (auto& layer : studentFfns) {
        layer->setRecording(options.mseWeight > 0);
    }
    auto& transformer = student->transformer();
    std::vector<torch::Tensor> gateParameters;  // weight and noise weight of each layer's gate
    if (options.routing != TrainingRouting::CurrentWeights) {
        // Routers score on the dense model's experts (the router's own training ground); the
        // joint gate starts from the similarity router's centroids, scaled so that its logits
        // spread over a few units and the initial noise (softplus(0) = 0.69) only reorders close
        // calls. Shazeer et al. start from zero; here the experts come from a trained model and
        // a random start would throw away the routing they imply.
        const auto experts = buildExperts(*teacher, partition);
        for (std::size_t l = 0; l < studentFfns.size(); ++l) {
            if (options.routing == TrainingRouting::Router) {
                studentFfns[l]->useRouter(options.router->layers[l], experts[l]);
                continue;
            }
            auto weight = (GateRouter::initialWeight(*experts[l]) * 10.0).requires_grad_(true);
            auto noise = torch::zeros_like(weight).requires_grad_(true);
            studentFfns[l]->useGate(weight, noise);
            gateParameters.push_back(weight);
            gateParameters.push_back(noise);
        }
    }
    if (resuming && !gateParameters.empty()) {
        torch::serialize::InputArchive archive;
        archive.load_from(dir + "/gate.pt");
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < gateParameters.size(); ++i) {
            torch::Tensor saved;
            archive.read("gate" + std::to_string(i), saved);
            gateParameters[i].copy_(saved);
        }
    }

    feedback.setProgress(0.01, "tokenizing the fine-tuning data");
    const auto pairs = tokenizePairs(student->tokenizer(), data.train, options.maxSentenceTokens);
    if (pairs.empty()) {
        throw std::invalid_argument("every training pair is longer than " +
                                    std::to_string(options.maxSentenceTokens) + " tokens");
    }
    std::vector<const TokenPair*> pointers;
    for (const auto& p : pairs) {
        pointers.push_back(&p);
    }
    std::vector<std::string> checkSources, checkReferences;
    for (std::size_t i = 0; i < data.valid.size() && static_cast<int>(i) < options.checkSentences;
         ++i) {
        checkSources.push_back(data.valid[i].source);
        checkReferences.push_back(data.valid[i].target);
    }

    const auto adam = torch::optim::AdamOptions(options.learningRate).betas({0.9, 0.98}).eps(1e-9);
    std::vector<torch::optim::OptimizerParamGroup> groups{
        torch::optim::OptimizerParamGroup(transformer->parameters())};
    if (!gateParameters.empty()) {
        auto gateAdam = std::make_unique<torch::optim::AdamOptions>(adam);
        gateAdam->lr(options.gateLearningRate);
        groups.emplace_back(gateParameters, std::move(gateAdam));
    }
    torch::optim::Adam optimizer(groups, adam);
    if (resuming && fileExists(dir + "/optimizer.pt")) {
        torch::serialize::InputArchive archive;
        archive.load_from(dir + "/optimizer.pt");
        optimizer.load(archive);
    }
    ensureDirectory(dir);

    auto saveCheckpoint = [&](int epoch, std::size_t nextBatch) {
        if (dir.empty()) {
            return;
        }
        const auto timed = result.phases.measure("checkpoints");
        student->save(pendingCheckpointPath(dir + "/last.moewb"));
        torch::serialize::OutputArchive archive;
        optimizer.save(archive);
        std::ostringstream bytes;
        archive.save_to(bytes);
        writeFileAtomic(pendingCheckpointPath(dir + "/optimizer.pt"), bytes.str());
        if (!gateParameters.empty()) {
            torch::serialize::OutputArchive gateArchive;
            for (std::size_t i = 0; i < gateParameters.size(); ++i) {
                gateArchive.write("gate" + std::to_string(i), gateParameters[i].detach());
            }
            std::ostringstream gateBytes;
            gateArchive.save_to(gateBytes);
            writeFileAtomic(pendingCheckpointPath(dir + "/gate.pt"), gateBytes.str());
        }
        nlohmann::json curve = nlohmann::json::array();
        for (const auto& p : result.curve) {
            curve.push_back(pointToJson(p));
        }
        writeJsonFile(pendingCheckpointPath(statePath),
                      {{"step", step},
                       {"epoch", epoch},
                       {"batch", nextBatch},
                       {"seconds", previousSeconds + secondsSince(start)},
                       {"curve", curve}},
                      "moewb-finetune-state", kStateVersion);
        commitCheckpoint(dir, "state.json", checkpointFiles);
    };

    // Greedy BLEU of the student at checkK on the check sentences.
    auto checkBleu = [&]() -> double {
        if (checkSources.empty()) {
            return -1;
        }
        transformer->eval();
        for (std::size_t l = 0; l < studentFfns.size(); ++l) {
            studentFfns[l]->setK(options.checkK > 0 ? options.checkK : layerK[l]);
            studentFfns[l]->setRecording(false);
        }
        DecodeOptions decode;
        Feedback quiet;
        const auto translated = Translator(student).translate(checkSources, decode, quiet);
        for (auto& layer : studentFfns) {
            layer->setRecording(options.mseWeight > 0);
        }
        transformer->train();
        return corpusBleu(translated.translations, checkReferences).score;
    };

    namespace F = torch::nn::functional;
    result.stopReason = "max epochs";
    int64_t runTokens = 0;
    const int64_t firstStep = step;
    const auto runStart = Clock::now();
    bool stop = false;
    for (int epoch = firstEpoch; epoch <= options.maxEpochs && !stop; ++epoch) {
        std::mt19937_64 rng(options.seed * 1000003ULL + static_cast<uint64_t>(epoch));
        std::vector<TokenBatch> batches;
        {
            const auto timed = result.phases.measure("batching");
            batches = makeBatches(pointers, options.maxBatchTokens, &rng);
        }
        transformer->train();
        for (std::size_t b = epoch == firstEpoch ? firstBatch : 0; b < batches.size(); ++b) {
            feedback.throwIfCancelled();
            const auto& batch = batches[b];
            ++step;
            // Dropout and the K of this step depend on the step only, so a resumed run repeats
            // exactly what an uninterrupted one would have done.
            torch::manual_seed(options.seed * 7919ULL + static_cast<uint64_t>(step));
            int stepK = layerK[0];
            if (!options.mixedK.empty()) {
                std::mt19937_64 kRng(options.seed * 104729ULL + static_cast<uint64_t>(step));
                stepK = options.mixedK[kRng() % options.mixedK.size()];
            }
            for (std::size_t l = 0; l < studentFfns.size(); ++l) {
                studentFfns[l]->setK(options.mixedK.empty() ? layerK[l] : stepK);
            }

            const auto targets = batch.targetOut.reshape({-1});
            const auto real = targets.ne(SentencePieceModel::kPadId).nonzero().squeeze(1);
            torch::Tensor teacherLogProbs;
            {
                const auto timed = result.phases.measure("teacher forward");
                torch::NoGradGuard noGrad;
                auto& t = teacher->transformer();
                const auto mask = t->sourceMask(batch.source);
                const auto memory = t->encode(batch.source, mask);
                const auto states = t->decodeStates(batch.targetIn, memory, mask);
                teacherLogProbs = torch::log_softmax(
                    t->project(states.reshape({-1, states.size(-1)}).index_select(0, real)), -1);
            }
            auto studentTimer =
                std::make_unique<PhaseTimes::Scope>(result.phases, "student forward + loss");
            optimizer.zero_grad();
            const auto mask = transformer->sourceMask(batch.source);
            const auto memory = transformer->encode(batch.source, mask);
            const auto states = transformer->decodeStates(batch.targetIn, memory, mask);
            const auto logits =
                transformer->project(states.reshape({-1, states.size(-1)}).index_select(0, real));
            const auto logProbs = torch::log_softmax(logits, -1);
            const double count = static_cast<double>(real.size(0));
            const auto kd =
                F::kl_div(logProbs, teacherLogProbs,
                          F::KLDivFuncOptions().reduction(torch::kSum).log_target(true)) /
                count;
            const auto ce = F::nll_loss(logProbs, targets.index_select(0, real));
            auto loss = options.kdWeight * kd + options.ceWeight * ce;
            torch::Tensor mse = torch::zeros({});
            if (options.mseWeight > 0) {
                for (std::size_t l = 0; l < studentFfns.size(); ++l) {
                    mse = mse +
                          F::mse_loss(studentFfns[l]->lastOutput(), teacherFfns[l]->lastOutput());
                }
                mse = mse / static_cast<double>(studentFfns.size());
                loss = loss + options.mseWeight * mse;
            }
            torch::Tensor balance = torch::zeros({});
            if (!gateParameters.empty()) {
                for (const auto& layer : studentFfns) {
                    balance = balance + layer->balanceLoss();
                }
                loss = loss + options.balanceWeight * balance;
            }
            studentTimer.reset();
            feedback.throwIfCancelled();
            {
                const auto timed = result.phases.measure("backward");
                loss.backward();
            }
            {
                const auto timed = result.phases.measure("optimizer");
                if (options.clipNorm > 0) {
                    torch::nn::utils::clip_grad_norm_(transformer->parameters(), options.clipNorm);
                }
                optimizer.step();
            }
            runTokens += batch.tokens;

            FinetunePoint point;
            point.step = step;
            point.seconds = previousSeconds + secondsSince(start);
            point.k = options.mixedK.empty() ? layerK[0] : stepK;
            point.loss = loss.item<double>();
            point.kd = kd.item<double>();
            point.ce = ce.item<double>();
            point.mse = mse.item<double>();
            point.balance = balance.item<double>();
            point.tokensPerSecond = runTokens / std::max(secondsSince(runStart), 1e-9);

            const bool budgetOver =
                options.timeBudgetSeconds > 0 && point.seconds >= options.timeBudgetSeconds;
            const bool stepsOver = options.maxSteps > 0 && step >= options.maxSteps;
            const bool lastOfAll = epoch == options.maxEpochs && b + 1 == batches.size();
            if ((options.checkEvery > 0 && step % options.checkEvery == 0) || budgetOver ||
                stepsOver || lastOfAll) {
                feedback.setProgress(feedback.progress(), "checking BLEU");
                const auto timed = result.phases.measure("BLEU checks");
                point.bleu = checkBleu();
            }
            result.curve.push_back(point);
            if (options.onPoint) {
                options.onPoint(point);
            }

            double fraction = 0, eta = 0;
            if (options.timeBudgetSeconds > 0) {
                fraction = point.seconds / options.timeBudgetSeconds;
                eta = options.timeBudgetSeconds - point.seconds;
            } else if (options.maxSteps > 0) {
                fraction = static_cast<double>(step) / options.maxSteps;
                const double runSteps = static_cast<double>(step - firstStep);
                eta = secondsSince(runStart) / std::max(runSteps, 1.0) *
                      static_cast<double>(options.maxSteps - step);
            } else {
                const double done = (epoch - 1) + static_cast<double>(b + 1) / batches.size();
                fraction = done / options.maxEpochs;
                eta = point.seconds / std::max(done, 1e-9) * (options.maxEpochs - done);
            }
            std::ostringstream message;
            message.precision(3);
            message << "step " << step << " K " << point.k << " loss " << point.loss << " (KL "
                    << point.kd << ", CE " << point.ce << ")";
            if (point.bleu >= 0) {
                message << " BLEU " << point.bleu;
            }
            message << " " << static_cast<int>(point.tokensPerSecond) << " tok/s ETA "
                    << formatEta(eta);
            feedback.setProgress(0.02 + 0.96 * std::min(fraction, 1.0), message.str());

            const bool last = b + 1 == batches.size();
            if (budgetOver || stepsOver) {
                result.stopReason = budgetOver ? "time budget" : "max steps";
                saveCheckpoint(last ? epoch + 1 : epoch, last ? 0 : b + 1);
                stop = true;
                break;
            }
            if (options.checkpointEverySteps > 0 && step % options.checkpointEverySteps == 0) {
                saveCheckpoint(last ? epoch + 1 : epoch, last ? 0 : b + 1);
            }
        }
    }
    if (!stop) {
        saveCheckpoint(options.maxEpochs + 1, 0);
    }
    installTopKTraining(*student, partition, {});
    transformer->eval();
    result.seconds = previousSeconds + secondsSince(start);
    result.tokensPerSecond = runTokens / std::max(secondsSince(runStart), 1e-9);
    result.model = student;
    for (std::size_t i = 0; i < gateParameters.size(); i += 2) {
        result.gate.push_back(gateParameters[i].detach().clone());
    }
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& p : result.curve) {
        if (p.bleu >= 0) {
            curve.push_back(pointToJson(p));
        }
    }
    student->record() = dense.record();
    student->record()["finetune"] = {{"data", data.description},
                                     {"partition_method", partition.method},
                                     {"layer_k", layerK},
                                     {"mixed_k", options.mixedK},
                                     {"kd_weight", options.kdWeight},
                                     {"ce_weight", options.ceWeight},
                                     {"mse_weight", options.mseWeight},
                                     {"routing", trainingRoutingName(options.routing)},
                                     {"balance_weight", options.balanceWeight},
                                     {"learning_rate", options.learningRate},
                                     {"batch_tokens", options.maxBatchTokens},
                                     {"seed", options.seed},
                                     {"steps", step},
                                     {"seconds", result.seconds},
                                     {"tokens_per_second", result.tokensPerSecond},
                                     {"stop_reason", result.stopReason},
                                     {"checks", curve}};
    feedback.setProgress(1.0, "fine-tuning finished (" + result.stopReason + ")");
    return result;
}

}  // namespace moewb
