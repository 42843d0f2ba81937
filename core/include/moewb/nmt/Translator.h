#pragma once
// Greedy and beam-search decoding over the Transformer, batched over sentences, with
// incremental decoder state (the encoder runs once per sentence; past keys/values are cached).

#include "moewb/nmt/NmtModel.h"
#include "moewb/util/Feedback.h"

#include <memory>
#include <string>
#include <vector>

namespace moewb {

struct DecodeOptions {
    int beamSize = 1;             // 1 = greedy search (default 1)
    double lengthPenalty = 0.6;   // GNMT alpha: score / ((5 + len) / 6)^alpha (default 0.6)
    int maxLength = 200;          // hard cap on target tokens, EOS included (default 200)
    double maxLengthRatio = 1.5;  // per-sentence cap: ratio * source tokens + 10 (default 1.5)
    int batchSize = 32;           // sentences decoded together (default 32)
    // Reference decoding: LibTorch's op-by-op step (TransformerImpl::decodeStep) instead of the
    // raw-memory StepDecoder; the same output, slower. For benchmarks and checks (default false).
    bool referenceStep = false;
};

// One decoded sentence at the token level.
struct Hypothesis {
    std::vector<int> tokens;  // without BOS, without EOS
    double logProb = 0;       // sum of token log-probabilities (EOS included when emitted)
    double score = 0;         // logProb after the length penalty
};

struct TranslationResult {
    std::vector<std::string> translations;  // same order as the sources
    std::vector<Hypothesis> hypotheses;
    double seconds = 0;        // wall time of decoding (tokenization included)
    int64_t sourceTokens = 0;  // subword tokens read
    int64_t targetTokens = 0;  // subword tokens written (EOS included)
};

class Translator {
public:
    explicit Translator(std::shared_ptr<NmtModel> model);

    // `plan` (optional) says what each FFN computes for this call only, e.g. the MoE layers of
    // makeMoePlan(); the model itself is not modified, so several translations may share it.
    TranslationResult translate(const std::vector<std::string>& sources,
                                const DecodeOptions& options, Feedback& feedback,
                                const FfnPlan* plan = nullptr) const;

    // Token-level search for one batch of already-encoded sources (no BOS/EOS added here:
    // pass what the encoder should read). Used by translate() and by tests.
    std::vector<Hypothesis> search(const std::vector<std::vector<int>>& sources,
                                   const DecodeOptions& options) const;

    // The two strategies search() picks from (beam search with beamSize 1 equals greedy).
    std::vector<Hypothesis> greedySearch(const std::vector<std::vector<int>>& sources,
                                         const DecodeOptions& options) const;
    std::vector<Hypothesis> beamSearch(const std::vector<std::vector<int>>& sources,
                                       const DecodeOptions& options) const;

    // The token ids the encoder reads for `source`, exactly as translate() encodes it: empty for
    // a blank line, else its pieces cut to the model's positions, then EOS.
    static std::vector<int> encodeSource(const NmtModel& model, const std::string& source);
    // The same as pieces ("▁Ein", …, "</s>"), for showing which experts each source token ran.
    static std::vector<std::string> sourcePieces(const NmtModel& model, const std::string& source);

    // GNMT length penalty ((5 + length) / 6)^alpha.
    static double lengthNormaliser(int64_t length, double alpha);

    const std::shared_ptr<NmtModel>& model() const { return m_model; }

private:
    std::shared_ptr<NmtModel> m_model;
};

}  // namespace moewb
