#include "LiveTranslation.h"

#include "moewb/moe/MoeLayer.h"
#include "moewb/nmt/Translator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace {

using moewb::SentencePieceModel;

// Installs MoE layers for its lifetime: the model goes back to dense even when translating
// throws, so the next user of the shared model never finds stray experts in it.
class MoeInstallation {
public:
    MoeInstallation(moewb::Transformer& transformer,
                    const std::vector<std::shared_ptr<moewb::MoeLayer>>& layers)
        : m_transformer(transformer) {
        try {
            moewb::installMoe(m_transformer, layers);
        } catch (...) {
            moewb::removeMoe(m_transformer);  // installMoe may have set some layers already
            throw;
        }
    }
    ~MoeInstallation() { moewb::removeMoe(m_transformer); }
    MoeInstallation(const MoeInstallation&) = delete;
    MoeInstallation& operator=(const MoeInstallation&) = delete;

private:
    moewb::Transformer& m_transformer;
};

// Another job (a sweep, a profile) may hold the model for a long time; waiting with try_lock keeps
// this job cancellable meanwhile.
std::unique_lock<std::mutex> lockModel(std::mutex& mutex, moewb::Feedback& feedback) {
    std::unique_lock<std::mutex> lock(mutex, std::defer_lock);
    bool told = false;
    while (!lock.try_lock()) {
        feedback.throwIfCancelled();
        if (!told) {
            feedback.setProgress(0.0, "waiting for the model (another job is using it)");
            told = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return lock;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// One untimed run (it warms caches and, through `afterFirstRun`, ends the recording), then timed
// repetitions while they fit the budget; dense and MoE both go through here, so their times
// compare like with like.
TimedTranslation timedTranslation(const moewb::Translator& translator, const std::string& source,
                                  const LiveTranslationRequest& request, moewb::Feedback& feedback,
                                  std::vector<int>* tokens,
                                  const std::function<void()>& afterFirstRun) {
    moewb::DecodeOptions options;
    options.beamSize = 1;
    options.batchSize = 1;
    moewb::Feedback quiet;  // one sentence: its per-batch progress says nothing
    const auto first = translator.translate({source}, options, quiet);
    afterFirstRun();
    TimedTranslation out;
    out.text = first.translations.at(0);
    *tokens = first.hypotheses.at(0).tokens;
    std::vector<double> times;
    double spent = 0.0;
    while (static_cast<int>(times.size()) < request.maxRepetitions &&
           spent + first.seconds <= request.timeBudget) {
        feedback.throwIfCancelled();
        const auto again = translator.translate({source}, options, quiet);
        times.push_back(again.seconds);
        spent += again.seconds;
    }
    if (times.empty()) {
        times.push_back(first.seconds);  // a long sentence: its single run is the measurement
    }
    out.seconds = median(times);
    out.repetitions = static_cast<int>(times.size());
    return out;
}

// The pieces the encoder reads, exactly as Translator::translate encodes the sentence.
std::vector<std::string> sourcePieces(const moewb::NmtModel& model, const std::string& source) {
    auto ids = model.tokenizer().encode(source);
    const auto maxSource = static_cast<std::size_t>(model.config().maxPositions - 2);
    if (ids.size() > maxSource) {
        ids.resize(maxSource);
    }
    std::vector<std::string> pieces;
    for (int id : ids) {
        pieces.push_back(model.tokenizer().piece(id));
    }
    pieces.push_back("</s>");
    return pieces;
}

// A layer's recording ([T, K] per forward call) as one expert list per token.
std::vector<std::vector<int>> firedExperts(const std::vector<torch::Tensor>& calls) {
    std::vector<std::vector<int>> tokens;
    for (const auto& call : calls) {
        const auto ids = call.to(torch::kLong).contiguous();
        const auto access = ids.accessor<int64_t, 2>();
        for (int64_t t = 0; t < ids.size(0); ++t) {
            std::vector<int> row;
            for (int64_t k = 0; k < ids.size(1); ++k) {
                row.push_back(static_cast<int>(access[t][k]));
            }
            tokens.push_back(std::move(row));
        }
    }
    return tokens;
}

}  // namespace

LiveTranslationResult LiveTranslation::run(const LiveTranslationRequest& request,
                                           moewb::Feedback& feedback) {
    if (!request.model.isValid() || !request.model.mutex) {
        throw std::invalid_argument("no model is loaded (load a model or open a project first)");
    }
    const bool moe = !request.experts.empty();
    if (moe && (!request.routers || request.routers->layers.size() != request.experts.size())) {
        throw std::invalid_argument(
            "the router set does not match the partition: it needs one router per FFN layer "
            "(train routers for this partition again)");
    }
    auto lock = lockModel(*request.model.mutex, feedback);
    feedback.setProgress(0.0, "translating");
    auto& model = *request.model.model;
    moewb::Translator translator(request.model.model);
    LiveTranslationResult result;
    std::vector<int> tokens;
    if (request.dense) {
        moewb::removeMoe(model.transformer());  // dense means dense, whatever was left installed
        result.dense =
            timedTranslation(translator, request.source, request, feedback, &tokens, [] {});
    }
    if (!moe) {
        return result;
    }
    feedback.throwIfCancelled();
    std::vector<std::shared_ptr<moewb::MoeLayer>> layers;
    for (std::size_t i = 0; i < request.experts.size(); ++i) {
        layers.push_back(std::make_shared<moewb::MoeLayer>(request.experts[i],
                                                           request.routers->layers[i], request.k));
        layers.back()->setRecording(true);
    }
    std::vector<std::vector<torch::Tensor>> recorded(layers.size());
    {
        MoeInstallation installed(model.transformer(), layers);
        result.moe = timedTranslation(translator, request.source, request, feedback, &tokens, [&] {
            for (std::size_t i = 0; i < layers.size(); ++i) {
                recorded[i] = layers[i]->takeRecording();
                layers[i]->setRecording(false);
            }
        });
    }
    result.k = request.k;

    ExpertStripData& strip = result.strip;
    strip.numExperts = request.experts.front()->numExperts();
    strip.encoderLayers = model.config().encoderLayers;
    strip.sourceTokens = sourcePieces(model, request.source);
    for (int id : tokens) {
        strip.targetTokens.push_back(model.tokenizer().piece(id));
    }
    for (const auto& calls : recorded) {
        strip.layers.push_back(firedExperts(calls));
    }
    // The decoder ran one more step than it kept tokens when it stopped on EOS.
    if (strip.layers.size() > static_cast<std::size_t>(strip.encoderLayers) &&
        strip.layers.back().size() > strip.targetTokens.size()) {
        strip.targetTokens.push_back("</s>");
    }
    return result;
}
