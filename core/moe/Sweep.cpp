#include "moewb/moe/Sweep.h"

#include "moewb/moe/MoeLayer.h"
#include "moewb/text/Bleu.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace moewb {
namespace {

struct Run {
    TranslationResult result;
    double ffnSeconds = 0;
    double compute = 1;  // MoeCompute::fraction() of the run
};

// The dense FFN of a model other than the MoE's (a fine-tuned MoE is compared with the dense
// model it came from), timed like MoeLayer times itself.
class TimedDenseFfn : public FfnOverride {
public:
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        const auto start = std::chrono::steady_clock::now();
        auto out = ffn.computeDense(x);
        m_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return out;
    }
    double m_seconds = 0;
};

// What one setting translates with: the MoE layers at some K on the MoE's model, or (for the
// dense reference of a fine-tuned MoE) the dense model's own FFNs.
struct Runner {
    NmtModel* model = nullptr;
    std::vector<std::shared_ptr<MoeLayer>>* layers = nullptr;  // null: the model's dense FFNs
    int encoderLayers = 0;
};

// Translates with every layer at its K (K = N runs the dense product inside the same timing
// wrapper, so dense and MoE FFN times are measured alike). The plan is passed with the call: the
// model is not modified.
Run translateWith(const Runner& runner, int encoderK, int decoderK, double threshold,
                  const std::vector<std::string>& sources, const DecodeOptions& decoding) {
    FfnPlan plan;
    std::vector<std::shared_ptr<TimedDenseFfn>> denseFfns;
    if (runner.layers) {
        auto& layers = *runner.layers;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            layers[l]->setK(static_cast<int>(l) < runner.encoderLayers ? encoderK : decoderK);
            layers[l]->setThreshold(threshold);
            layers[l]->resetTiming();
            layers[l]->resetComputeCount();
        }
        plan = makeMoePlan(layers);
    } else {
        for (std::size_t l = 0; l < runner.model->transformer()->feedForwards().size(); ++l) {
            denseFfns.push_back(std::make_shared<TimedDenseFfn>());
            plan.layers.push_back(denseFfns.back());
        }
    }
    Feedback quiet;  // per-batch progress of one run would drown the sweep's own
    Run run;
    run.result = Translator(std::shared_ptr<NmtModel>(runner.model, [](NmtModel*) {
                 })).translate(sources, decoding, quiet, &plan);
    if (runner.layers) {
        for (const auto& layer : *runner.layers) {
            run.ffnSeconds += layer->seconds();
        }
        run.compute = totalCompute(*runner.layers).fraction();
    }
    for (const auto& ffn : denseFfns) {
        run.ffnSeconds += ffn->m_seconds;
    }
    return run;
}

// One setting as a variant of an interleaved timing: every call translates the sources and keeps
// the output (deterministic, so any run's does for BLEU) and the FFN time of each call.
struct Setting {
    Setting() = default;
    Setting(int encoder, int decoder, double tau = 0)
        : encoderK(encoder), decoderK(decoder), threshold(tau) {}

    int encoderK = 0, decoderK = 0;
    double threshold = 0;  // dynamic K (MoeLayer::setThreshold); 0 = fixed K
    double compute = 1;    // of the last call
    TranslationResult last;
    std::vector<double> ffnSeconds;  // per call, warm-up included

    TimedVariant variant(const Runner& runner, const std::vector<std::string>& sources,
                         const DecodeOptions& decoding) {
        return [this, runner, &sources, &decoding] {
            Run run = translateWith(runner, encoderK, decoderK, threshold, sources, decoding);
            ffnSeconds.push_back(run.ffnSeconds);
            compute = run.compute;
            last = std::move(run.result);
            return last.seconds;
        };
    }
    // The FFN times of the timed rounds: the last `rounds` calls.
    std::vector<double> timedFfn(int rounds) const {
        return std::vector<double>(ffnSeconds.end() - rounds, ffnSeconds.end());
    }
};

// MoE tokens / dense tokens: turns a wall-time ratio into a per-target-token one (exact, as every
// round writes the same outputs).
double tokenFactor(int64_t denseTokens, int64_t tokens) {
    return denseTokens > 0 ? static_cast<double>(tokens) / static_cast<double>(denseTokens) : 0.0;
}

std::vector<int> powersOfTwo(int n) {
    std::vector<int> ks;
    for (int k = 1; k <= n; k *= 2) {
        ks.push_back(k);
    }
    return ks;
}

double meanFfnError(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                    const RouterSet& routers, const std::vector<torch::Tensor>& inputs,
                    int encoderK, int decoderK, int encoderLayers) {
    if (inputs.empty()) {
        return 0.0;
    }
    torch::NoGradGuard noGrad;
    double sum = 0;
    for (std::size_t l = 0; l < experts.size(); ++l) {
        const int k = static_cast<int>(l) < encoderLayers ? encoderK : decoderK;
        if (k == experts[l]->numExperts()) {
            continue;  // all N experts are the dense FFN, whatever the router: error 0
        }
        if (routers.layers[l]->needsTokenIds()) {
            return std::numeric_limits<double>::quiet_NaN();  // FFN inputs alone carry no ids
        }
        const auto& x = inputs[l];
        const auto reference = experts[l]->dense(x);
        const auto moe =
            experts[l]->forward(x, topExperts(routers.layers[l]->scores(x, *experts[l]), k));
        sum += ((moe - reference).norm(2, 1) / reference.norm(2, 1).clamp_min(1e-12))
                   .mean()
                   .item<double>();
    }
    return sum / static_cast<double>(experts.size());
}

}  // namespace

SweepResult runSweep(NmtModel& model, const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                     const RouterSet& routers, const ParallelCorpus& testSet,
                     const std::vector<torch::Tensor>& ffnInputs, const SweepOptions& options,
                     Feedback& feedback) {
    if (testSet.pairs.empty()) {
        throw std::invalid_argument("the sweep needs a test set with references");
    }
    const int n = experts.at(0)->numExperts();
    const int encoderLayers = model.config().encoderLayers;
    std::vector<std::string> sources, references;
    for (const auto& p : testSet.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    const auto encoderKs = options.encoderKs.empty() ? powersOfTwo(n) : options.encoderKs;
    const auto decoderKs = options.decoderKs.empty() ? encoderKs : options.decoderKs;
    std::vector<std::tuple<int, int, double>> settings;
    if (options.grid) {
        for (int e : encoderKs) {
            for (int d : decoderKs) {
                settings.emplace_back(e, d, 0.0);
            }
        }
    } else {
        for (std::size_t i = 0; i < encoderKs.size(); ++i) {
            settings.emplace_back(encoderKs[i], i < decoderKs.size() ? decoderKs[i] : encoderKs[i],
                                  0.0);
        }
    }
    const int dynamicMax = options.dynamicMaxK > 0 ? options.dynamicMaxK : std::max(1, n / 2);
    for (double tau : options.thresholds) {
        if (!(tau > 0 && tau < 1)) {
            throw std::invalid_argument("a dynamic-K threshold must lie between 0 and 1, not " +
                                        std::to_string(tau));
        }
        settings.emplace_back(dynamicMax, dynamicMax, tau);
    }
    auto layers = makeMoeLayers(experts, routers, 0, n, n);
    const Runner moeRunner{options.moeModel ? options.moeModel.get() : &model, &layers,
                           encoderLayers};
    const Runner denseRunner{&model, options.moeModel ? nullptr : &layers, encoderLayers};
    SweepResult result;
    result.partition = routers.partition;
    result.router = routers.kind;
    result.numExperts = n;
    result.partitionHash = partitionHash(experts);
    result.routerHash = routers.contentHash;
    const double steps = static_cast<double>(settings.size());
    // The dense run of every setting's rounds, pooled into the dense row.
    std::vector<double> denseSeconds, denseFfn;
    Setting dense(n, n);
    for (std::size_t i = 0; i < settings.size(); ++i) {
        feedback.throwIfCancelled();
        const auto [e, d, tau] = settings[i];
        feedback.setProgress(i / steps, "encoder K = " + std::to_string(e) + ", decoder K = " +
                                            std::to_string(d) + " (dense and MoE interleaved)");
        // A dense run next to every MoE run: on large test sets one round of all Ks would take
        // minutes, long enough for the machine to drift between dense and the last K.
        Setting moe(e, d, tau);
        SubFeedback settingFeedback(feedback, i / steps, (i + 1) / steps);
        const auto timing = timeInterleaved({dense.variant(denseRunner, sources, options.decoding),
                                             moe.variant(moeRunner, sources, options.decoding)},
                                            options.timing, settingFeedback);
        const auto ffnDense = dense.timedFfn(timing.rounds);
        const auto ffnMoe = moe.timedFfn(timing.rounds);
        denseSeconds.insert(denseSeconds.end(), timing.seconds[0].begin(), timing.seconds[0].end());
        denseFfn.insert(denseFfn.end(), ffnDense.begin(), ffnDense.end());

        SweepRow row;
        row.encoderK = e;
        row.decoderK = d;
        row.threshold = tau;
        row.compute = moe.compute;
        row.bleu = corpusBleu(moe.last.translations, references).score;
        row.seconds = timing.medianSeconds[1];
        row.ffnSeconds = medianOf(ffnMoe);
        for (std::size_t l = 0; l < routers.quality.size(); ++l) {
            const int k = static_cast<int>(l) < encoderLayers ? e : d;
            row.recall += routers.quality[l].recall.at(k - 1) / routers.quality.size();
        }
        row.ffnError = meanFfnError(experts, routers, ffnInputs, e, d, encoderLayers);
        const TimingRatio& speedup = timing.speedups[1];
        row.speedup = speedup.median;
        row.speedupSpread = speedup.spread;
        row.ffnSpeedup = medianOf(perRoundRatios(ffnDense, ffnMoe));
        row.targetTokens = moe.last.targetTokens;
        const auto perToken =
            speedup.scaled(tokenFactor(dense.last.targetTokens, moe.last.targetTokens));
        row.tokenSpeedup = perToken.median;
        row.tokenSpeedupSpread = perToken.spread;
        row.rounds = timing.rounds;
        result.rows.push_back(row);
    }
    if (denseSeconds.empty()) {
        const auto timing = timeInterleaved({dense.variant(denseRunner, sources, options.decoding)},
                                            options.timing, feedback);
        denseSeconds = timing.seconds[0];
        denseFfn = dense.timedFfn(timing.rounds);
    }
    result.dense.bleu = corpusBleu(dense.last.translations, references).score;
    result.dense.seconds = medianOf(denseSeconds);
    result.dense.ffnSeconds = medianOf(denseFfn);
    result.dense.recall = 1.0;
    result.dense.targetTokens = dense.last.targetTokens;
    result.dense.tokenSpeedup = 1.0;
    result.dense.rounds = static_cast<int>(denseSeconds.size());
    feedback.setProgress(1.0, "sweep done");
    return result;
}

ComparisonTable runComparisonTable(NmtModel& model,
                                   const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                                   const RouterSet& routers, const ParallelCorpus& testSet,
                                   const std::vector<int>& sentenceCounts,
                                   const std::vector<int>& ks, const DecodeOptions& decoding,
                                   Feedback& feedback, const InterleavedTimingOptions& timing,
                                   NmtModel* moeModel) {
    const int n = experts.at(0)->numExperts();
    const int encoderLayers = model.config().encoderLayers;
    auto layers = makeMoeLayers(experts, routers, 0, n, n);
    const Runner moeRunner{moeModel ? moeModel : &model, &layers, encoderLayers};
    const Runner denseRunner{&model, moeModel ? nullptr : &layers, encoderLayers};
    ComparisonTable table;
    table.sentenceCounts = sentenceCounts;
    table.ks = ks;
    table.partition = routers.partition;
    table.router = routers.kind;
    table.numExperts = n;
    table.partitionHash = partitionHash(experts);
    table.routerHash = routers.contentHash;
    table.decoding = decoding;
    for (std::size_t s = 0; s < sentenceCounts.size(); ++s) {
        const std::size_t count = std::min<std::size_t>(sentenceCounts[s], testSet.pairs.size());
        std::vector<std::string> sources, references;
        for (std::size_t i = 0; i < count; ++i) {
            sources.push_back(testSet.pairs[i].source);
            references.push_back(testSet.pairs[i].target);
        }
        // Column 0 is dense (K = N through the same layers), then one per K.
        std::vector<Setting> settings(ks.size() + 1);
        std::vector<TimedVariant> variants;
        for (std::size_t c = 0; c < settings.size(); ++c) {
            const int k = c == 0 ? n : ks[c - 1];
            settings[c].encoderK = settings[c].decoderK = k;
            variants.push_back(
                settings[c].variant(c == 0 ? denseRunner : moeRunner, sources, decoding));
        }
        SubFeedback rowFeedback(feedback, double(s) / sentenceCounts.size(),
                                double(s + 1) / sentenceCounts.size());
        const auto timed = timeInterleaved(variants, timing, rowFeedback);
        std::vector<ComparisonCell> row;
        for (std::size_t c = 0; c < settings.size(); ++c) {
            ComparisonCell cell;
            cell.seconds = timed.medianSeconds[c];
            cell.bleu = corpusBleu(settings[c].last.translations, references).score;
            cell.speedup = timed.speedups[c].median;
            cell.speedupSpread = timed.speedups[c].spread;
            cell.targetTokens = settings[c].last.targetTokens;
            cell.tokenSpeedup =
                cell.speedup * tokenFactor(settings[0].last.targetTokens, cell.targetTokens);
            cell.rounds = timed.rounds;
            row.push_back(cell);
        }
        table.cells.push_back(row);
        feedback.setProgress(double(s + 1) / sentenceCounts.size(),
                             "comparison table: " + std::to_string(count) + " sentences");
    }
    return table;
}

}  // namespace moewb
