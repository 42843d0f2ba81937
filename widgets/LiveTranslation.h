#pragma once
// The work behind one live translation of the TranslatorPanel: the dense and/or the MoE greedy
// translation of one sentence on the shared model, timed in interleaved rounds (dense, MoE, dense,
// MoE, …; see moewb/util/InterleavedTiming.h) so that the speed-up is the median of per-round
// ratios with its spread, the share of the dense FFN compute the MoE did, and the experts every FFN
// layer ran for every token. The MoE is a plan passed with each translate call
// (docs/moe-quality.md, "The MoE plan is a value"): the shared model is never modified or locked,
// so a sweep or a profile may run on it meanwhile. Runs on a JobRunner worker; touches no widgets.

#include "ExpertStripData.h"
#include "WorkbenchData.h"

#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/util/Feedback.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moewb::gui {

struct LiveTranslationRequest {
    ModelHandle model;   // the model (shared, only read)
    std::string source;  // German sentence
    // Translate densely when there is no MoE part (false: the caller has that cached, nothing to
    // do). With a MoE part the dense model always runs too, interleaved with it, whatever this
    // says: a speed-up is only worth showing when both were timed in the same rounds, so a dense
    // time from the cache, taken minutes earlier on a drifting machine, must not be reused.
    bool dense = true;
    // The MoE part; no experts means "dense only".
    std::vector<std::shared_ptr<moewb::ExpertFfn>> experts;  // one per FFN layer
    std::shared_ptr<const moewb::RouterSet> routers;         // one router per FFN layer
    int k = 0;  // active experts per token, 1 … N; with a threshold the most per token
    // Dynamic K (MoeLayer::setThreshold): each token takes the fewest experts whose router mass
    // reaches this share, at most k; 0 = fixed K (default 0).
    double threshold = 0;
    // The model the MoE part runs: a fine-tuned model whose experts `experts` were built from;
    // invalid = `model` (default invalid).
    ModelHandle moeModel;
    int maxRepetitions = 5;   // timed rounds at most, after one untimed run each (default 5)
    double timeBudget = 0.6;  // seconds of timed runs, all variants together (default 0.6)
};

struct TimedTranslation {
    std::string text;          // the translation
    double seconds = 0;        // median wall time of the timed runs
    int repetitions = 0;       // timed runs the median is taken over
    int64_t targetTokens = 0;  // subword tokens written, EOS included
    double secondsPerToken() const { return targetTokens > 0 ? seconds / targetTokens : 0.0; }
};

struct LiveTranslationResult {
    std::optional<TimedTranslation> dense;
    std::optional<TimedTranslation> moe;
    int k = 0;             // K of the MoE translation (0 without one); the most with a threshold
    double threshold = 0;  // its dynamic-K threshold τ (0 = fixed K)
    // Share of the dense FFN multiply-adds the MoE translation did (MoeCompute::fraction(): router
    // and shared neurons included, over encoder and decoder) and the mean experts a token ran;
    // 0 without a MoE translation.
    double compute = 0;
    double expertsPerToken = 0;
    // With a MoE translation: the median over the rounds of dense time / MoE time, its spread
    // ("±": the farthest round), and the same per target token; 0 without one.
    double speedup = 0;
    double speedupSpread = 0;
    double tokenSpeedup = 0;
    double tokenSpeedupSpread = 0;
    ExpertStripData strip;  // empty without a MoE translation
};

class LiveTranslation {
public:
    // Throws std::invalid_argument when experts, routers, K or the threshold do not fit the
    // model, and moewb::OperationCancelled when cancelled. Never modifies the model.
    static LiveTranslationResult run(const LiveTranslationRequest& request,
                                     moewb::Feedback& feedback);
};

}  // namespace moewb::gui
