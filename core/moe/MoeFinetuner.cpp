#include "moewb/moe/MoeFinetuner.h"

#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"
#include "nmt/TokenBatches.h"

#include <torch/torch.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sstream>

namespace moewb {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kStateVersion = 1;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The student's FFN during fine-tuning: the dense hidden layer (the oracle rule needs it), the K
// experts of largest relu mass per token kept, the rest zeroed before W2. Zeroed neurons get no
// gradient, exactly as if they had not been computed. At training sizes (thousands of tokens) the
// masked dense products beat any sparse scheme in LibTorch, and the W1 product is needed whole
// for the choice anyway.
class TopKTrainingFfn : public FfnOverride {
public:
    TopKTrainingFfn(const ExpertPartition& partition, int k) : m_n(partition.numExperts), m_k(k) {
        const auto of = partition.expertOf();
        std::vector<int64_t> index(of.size());
        for (std::size_t j = 0; j < of.size(); ++j) {
            index[j] = of[j] < 0 ? m_n : of[j];  // shared neurons: an always-on column N
        }
        m_expertOf = torch::tensor(index, torch::kLong);
    }
    void setK(int k) { m_k = k; }
    void setRecording(bool on) { m_recording = on; }
    const torch::Tensor& lastOutput() const { return m_last; }

    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        const auto hidden = torch::relu(torch::addmm(ffn.b1, x, ffn.w1.t()));
        torch::Tensor kept = hidden;
        if (m_k < m_n) {
            torch::Tensor mask;
            {
                torch::NoGradGuard noGrad;
                const auto mass = torch::zeros({x.size(0), m_n + 1}, hidden.options());
                mass.index_add_(1, m_expertOf, hidden.detach());
                const auto top = std::get<1>(mass.narrow(1, 0, m_n).topk(m_k, 1));
                auto chosen = torch::zeros({x.size(0), m_n + 1}, hidden.options());
                chosen.scatter_(1, top, 1.0);
                chosen.narrow(1, m_n, 1).fill_(1.0);
                mask = chosen.index_select(1, m_expertOf);
            }
            kept = hidden * mask;
        }
        auto out = torch::addmm(ffn.b2, kept, ffn.w2.t());
        if (m_recording) {
            m_last = out;
        }
        return out;
    }

private:
    int m_n;
    int m_k;
    bool m_recording = false;
    torch::Tensor m_expertOf;
    torch::Tensor m_last;
};

// The teacher's FFN, dense, keeping its output for the MSE term.
class RecordingDenseFfn : public FfnOverride {
public:
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        m_last = ffn.dense(x);
        return m_last;
    }
    const torch::Tensor& lastOutput() const { return m_last; }

private:
    torch::Tensor m_last;
};

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
    return {p.step, p.seconds, p.k, p.loss, p.kd, p.ce, p.mse, p.bleu, p.tokensPerSecond};
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
    if (options.kdWeight < 0 || options.ceWeight < 0 || options.mseWeight < 0 ||
        options.kdWeight + options.ceWeight + options.mseWeight <= 0) {
        throw std::invalid_argument("the loss weights must be >= 0 and not all 0");
    }

    const auto start = Clock::now();
    const std::string dir = options.checkpointDir;
    const std::string statePath = dir + "/state.json";
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

    torch::optim::Adam optimizer(
        transformer->parameters(),
        torch::optim::AdamOptions(options.learningRate).betas({0.9, 0.98}).eps(1e-9));
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
        student->save(dir + "/last.moewb");
        torch::serialize::OutputArchive archive;
        optimizer.save(archive);
        std::ostringstream bytes;
        archive.save_to(bytes);
        writeFileAtomic(dir + "/optimizer.pt", bytes.str());
        nlohmann::json curve = nlohmann::json::array();
        for (const auto& p : result.curve) {
            curve.push_back(pointToJson(p));
        }
        writeJsonFile(statePath,
                      {{"step", step},
                       {"epoch", epoch},
                       {"batch", nextBatch},
                       {"seconds", previousSeconds + secondsSince(start)},
                       {"curve", curve}},
                      "moewb-finetune-state", kStateVersion);
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
        const auto batches = makeBatches(pointers, options.maxBatchTokens, &rng);
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
                torch::NoGradGuard noGrad;
                auto& t = teacher->transformer();
                const auto mask = t->sourceMask(batch.source);
                const auto memory = t->encode(batch.source, mask);
                const auto states = t->decodeStates(batch.targetIn, memory, mask);
                teacherLogProbs = torch::log_softmax(
                    t->project(states.reshape({-1, states.size(-1)}).index_select(0, real)), -1);
            }
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
            feedback.throwIfCancelled();
            loss.backward();
            if (options.clipNorm > 0) {
                torch::nn::utils::clip_grad_norm_(transformer->parameters(), options.clipNorm);
            }
            optimizer.step();
            runTokens += batch.tokens;

            FinetunePoint point;
            point.step = step;
            point.seconds = previousSeconds + secondsSince(start);
            point.k = options.mixedK.empty() ? layerK[0] : stepK;
            point.loss = loss.item<double>();
            point.kd = kd.item<double>();
            point.ce = ce.item<double>();
            point.mse = mse.item<double>();
            point.tokensPerSecond = runTokens / std::max(secondsSince(runStart), 1e-9);

            const bool budgetOver =
                options.timeBudgetSeconds > 0 && point.seconds >= options.timeBudgetSeconds;
            const bool stepsOver = options.maxSteps > 0 && step >= options.maxSteps;
            const bool lastOfAll = epoch == options.maxEpochs && b + 1 == batches.size();
            if ((options.checkEvery > 0 && step % options.checkEvery == 0) || budgetOver ||
                stepsOver || lastOfAll) {
                feedback.setProgress(feedback.progress(), "checking BLEU");
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
