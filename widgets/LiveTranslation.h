#pragma once
// The work behind one live translation of the TranslatorPanel: the dense and/or the MoE greedy
// translation of one sentence on the shared model, timed in interleaved rounds (dense, MoE,
// dense, MoE, …; see moewb/util/InterleavedTiming.h) so that the speed-up is the median of
// per-round ratios with its spread, and the experts every FFN layer ran for every token. Runs on a
// JobRunner worker; touches no widgets.

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

struct LiveTranslationRequest {
    ModelHandle model;   // the model; its mutex is held for the whole run
    std::string source;  // German sentence
    // Translate densely when there is no MoE part (false: the caller has that cached, nothing to
    // do). With a MoE part the dense model always runs too, interleaved with it, whatever this
    // says: a speed-up is only worth showing when both were timed in the same rounds, so a dense
    // time from the cache, taken minutes earlier on a drifting machine, must not be reused.
    bool dense = true;
    // The MoE part; no experts means "dense only".
    std::vector<std::shared_ptr<moewb::ExpertFfn>> experts;  // one per FFN layer
    std::shared_ptr<const moewb::RouterSet> routers;         // one router per FFN layer
    int k = 0;                                               // active experts per token, 1 … N
    // The model the MoE part runs: a fine-tuned model whose experts `experts` were built from
    // (its mutex is held too, after the dense model's); invalid = `model` (default invalid).
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
    int k = 0;  // K of the MoE translation (0 without one)
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
    // Throws std::invalid_argument when experts, routers or K do not fit the model, and
    // moewb::OperationCancelled when cancelled (also while waiting for the model's mutex). The
    // model is dense again afterwards, whatever happened.
    static LiveTranslationResult run(const LiveTranslationRequest& request,
                                     moewb::Feedback& feedback);
};
