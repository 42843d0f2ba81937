#pragma once
// Sweeps (DESIGN.md §11): for a partition + router, translate a test set at each K and measure
// BLEU, wall time (dense timed in the same run), FFN-only time, router recall@K and the FFN
// output's relative error; also the classic comparison table (dense and K = 1, 2, 4, 8 over the
// first 10, 15, 20, 25, 30 sentences).

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/Translator.h"
#include "moewb/util/Feedback.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace moewb {

struct SweepOptions {
    std::vector<int> encoderKs;  // encoder K values; empty = 1, 2, 4, …, N (default empty)
    std::vector<int> decoderKs;  // decoder K values; empty = same as the encoder's (default empty)
    bool grid = false;       // every encoder K × decoder K pair, else pairs K = K (default false)
    DecodeOptions decoding;  // greedy, batch 32 unless changed (default greedy)
};

struct SweepRow {
    int encoderK = 0, decoderK = 0;  // 0 = dense
    double bleu = 0;
    double seconds = 0;     // wall time of translating the test set
    double ffnSeconds = 0;  // of which inside the FFNs (routing included)
    double recall = 0;      // mean held-out recall@K over layers (from the router file)
    double ffnError = 0;    // mean relative FFN output error on the given FFN inputs
};

struct SweepResult {
    std::string partition, router;
    int numExperts = 0;
    SweepRow dense;
    std::vector<SweepRow> rows;
    nlohmann::json toJson() const;
    std::string toCsv() const;
    // Inverse of toJson(); throws std::invalid_argument naming a missing or mistyped field.
    static SweepResult fromJson(const nlohmann::json& json);
};

SweepResult runSweep(NmtModel& model, const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                     const RouterSet& routers, const ParallelCorpus& testSet,
                     const std::vector<torch::Tensor>& ffnInputs, const SweepOptions& options,
                     Feedback& feedback);

struct ComparisonCell {
    double seconds = 0;
    double bleu = 0;
};
// table[s][c]: s over sentence counts, c = 0 dense then one per K.
struct ComparisonTable {
    std::vector<int> sentenceCounts;  // 10, 15, 20, 25, 30
    std::vector<int> ks;              // 1, 2, 4, 8
    std::vector<std::vector<ComparisonCell>> cells;
    std::string partition, router;  // what the MoE columns ran with (empty when unknown)
    int numExperts = 0;             // N of the partition; the dense column runs K = N (0 unknown)
    DecodeOptions decoding;         // decoding settings shared by every cell
    std::string toText() const;
    nlohmann::json toJson() const;
    // Inverse of toJson(); throws std::invalid_argument naming a missing or mistyped field, or
    // when the cells do not match the sentence counts and Ks.
    static ComparisonTable fromJson(const nlohmann::json& json);
};
ComparisonTable runComparisonTable(NmtModel& model,
                                   const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                                   const RouterSet& routers, const ParallelCorpus& testSet,
                                   const std::vector<int>& sentenceCounts,
                                   const std::vector<int>& ks, const DecodeOptions& decoding,
                                   Feedback& feedback);

}  // namespace moewb
