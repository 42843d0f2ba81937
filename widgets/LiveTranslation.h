#pragma once
// The work behind one live translation of the TranslatorPanel: the dense and/or the MoE greedy
// translation of one sentence on the shared model, both timed through the same code path, and
// the experts every FFN layer ran for every token. Runs on a JobRunner worker; touches no widgets.

#include "ExpertStripData.h"
#include "WorkbenchData.h"

#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/util/Feedback.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct LiveTranslationRequest {
    ModelHandle model;   // the model; its mutex is held for the whole run
    std::string source;  // German sentence
    bool dense = true;   // also translate densely (false when the caller has it cached)
    // The MoE part; no experts means "dense only".
    std::vector<std::shared_ptr<moewb::ExpertFfn>> experts;  // one per FFN layer
    std::shared_ptr<const moewb::RouterSet> routers;         // one router per FFN layer
    int k = 0;                                               // active experts per token, 1 … N
    int maxRepetitions = 5;   // timed repetitions at most, after one untimed run (default 5)
    double timeBudget = 0.3;  // seconds of timed repetitions per variant (default 0.3)
};

struct TimedTranslation {
    std::string text;     // the translation
    double seconds = 0;   // median wall time of the timed runs
    int repetitions = 0;  // timed runs the median is taken over
};

struct LiveTranslationResult {
    std::optional<TimedTranslation> dense;
    std::optional<TimedTranslation> moe;
    int k = 0;              // K of the MoE translation (0 without one)
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
