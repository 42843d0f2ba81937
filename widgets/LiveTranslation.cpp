#include "LiveTranslation.h"

#include "moewb/moe/MoeLayer.h"
#include "moewb/nmt/Translator.h"
#include "moewb/util/InterleavedTiming.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace moewb::gui {

namespace {

using moewb::SentencePieceModel;

// Passes the job's Cancel into a translation (so a cancel lands during a long run too) without
// its per-batch progress, which for one sentence says nothing.
class CancelOnly : public moewb::Feedback {
public:
    explicit CancelOnly(const moewb::Feedback& parent) : m_parent(parent) {}
    bool isCancelled() const override { return m_parent.isCancelled(); }

private:
    const moewb::Feedback& m_parent;
};

TimedTranslation timedTranslation(const moewb::TranslationResult& last,
                                  const moewb::InterleavedTiming& timing, std::size_t variant) {
    TimedTranslation out;
    out.text = last.translations.at(0);
    out.seconds = timing.medianSeconds.at(variant);
    out.repetitions = timing.rounds;
    out.targetTokens = last.targetTokens;
    return out;
}

// A layer's recording ([T, K] per forward call) as one expert list per token. Dynamic K marks
// the slots a token did not use with -1; they are dropped, so a list holds what actually ran.
std::vector<std::vector<int>> firedExperts(const std::vector<torch::Tensor>& calls) {
    std::vector<std::vector<int>> tokens;
    for (const auto& call : calls) {
        const auto ids = call.to(torch::kLong).contiguous();
        const auto access = ids.accessor<int64_t, 2>();
        for (int64_t t = 0; t < ids.size(0); ++t) {
            std::vector<int> row;
            for (int64_t k = 0; k < ids.size(1); ++k) {
                if (access[t][k] >= 0) {
                    row.push_back(static_cast<int>(access[t][k]));
                }
            }
            tokens.push_back(std::move(row));
        }
    }
    return tokens;
}

}  // namespace

LiveTranslationResult LiveTranslation::run(const LiveTranslationRequest& request,
                                           moewb::Feedback& feedback) {
    if (!request.model.isValid()) {
        throw std::invalid_argument("no model is loaded (load a model or open a project first)");
    }
    const bool moe = !request.experts.empty();
    if (moe && (!request.routers || request.routers->layers.size() != request.experts.size())) {
        throw std::invalid_argument(
            "the router set does not match the partition: it needs one router per FFN layer "
            "(train routers for this partition again)");
    }
    if (moe && !(request.threshold >= 0 && request.threshold < 1)) {
        throw std::invalid_argument("the dynamic-K threshold must be in [0, 1)");
    }
    feedback.setProgress(0.0, "translating");
    const auto& model = *request.model.model;
    const moewb::Translator translator(request.model.model);
    moewb::DecodeOptions options;
    options.beamSize = 1;
    options.batchSize = 1;
    moewb::InterleavedTimingOptions timing;
    timing.maxRounds = std::max(1, request.maxRepetitions);
    timing.minRounds = std::min(timing.minRounds, timing.maxRounds);
    timing.timeBudget = request.timeBudget;
    CancelOnly cancel(feedback);
    LiveTranslationResult result;

    // Translation outputs are deterministic: the last run's text and tokens stand for all runs.
    moewb::TranslationResult denseLast, moeLast;
    const moewb::TimedVariant dense = [&] {
        denseLast = translator.translate({request.source}, options, cancel);
        return denseLast.seconds;
    };
    if (!moe) {
        if (request.dense) {
            const auto timed = moewb::timeInterleaved({dense}, timing, feedback);
            result.dense = timedTranslation(denseLast, timed, 0);
        }
        return result;
    }
    // A fine-tuned model runs its own experts; the dense side stays the project's dense model, so
    // the speed-up and the two outputs compare what the user fine-tuned against what it started
    // from.
    const ModelHandle& moeHandle = request.moeModel.isValid() ? request.moeModel : request.model;
    const moewb::Translator moeTranslator(moeHandle.model);
    // Fresh layers per request: their K, threshold, recording and compute count belong to this
    // translation alone, and the plan hands them to this thread's FFN calls only.
    const auto layers = moewb::makeMoeLayers(request.experts, *request.routers, 0, request.k,
                                             request.k, request.threshold);
    for (const auto& layer : layers) {
        layer->setRecording(true);
    }
    const moewb::FfnPlan plan = moewb::makeMoePlan(layers);
    std::vector<std::vector<torch::Tensor>> recorded(layers.size());
    bool recording = true;
    moewb::MoeCompute compute;
    const moewb::TimedVariant mixture = [&] {
        for (const auto& layer : layers) {
            layer->resetComputeCount();  // each run is counted alone: the same every run
        }
        moeLast = moeTranslator.translate({request.source}, options, cancel, &plan);
        compute = moewb::totalCompute(layers);
        if (recording) {  // the warm-up run fills the strip; the timed runs skip the copies
            for (std::size_t i = 0; i < layers.size(); ++i) {
                recorded[i] = layers[i]->takeRecording();
                layers[i]->setRecording(false);
            }
            recording = false;
        }
        return moeLast.seconds;
    };
    const auto timed = moewb::timeInterleaved({dense, mixture}, timing, feedback);
    result.dense = timedTranslation(denseLast, timed, 0);
    result.moe = timedTranslation(moeLast, timed, 1);
    const moewb::TimingRatio& speedup = timed.speedups[1];
    result.speedup = speedup.median;
    result.speedupSpread = speedup.spread;
    // Per target token: exact scaling, as every round writes the same output.
    const auto perToken = speedup.scaled(
        denseLast.targetTokens > 0 ? double(moeLast.targetTokens) / denseLast.targetTokens : 0.0);
    result.tokenSpeedup = perToken.median;
    result.tokenSpeedupSpread = perToken.spread;
    const std::vector<int>& tokens = moeLast.hypotheses.at(0).tokens;
    result.k = request.k;
    result.threshold = request.threshold;
    result.compute = compute.fraction();
    result.expertsPerToken = compute.expertsPerToken();

    ExpertStripData& strip = result.strip;
    strip.numExperts = request.experts.front()->numExperts();
    strip.maxExperts = request.k;
    strip.threshold = request.threshold;
    strip.encoderLayers = model.config().encoderLayers;
    strip.sourceTokens = moewb::Translator::sourcePieces(model, request.source);
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

}  // namespace moewb::gui
