#pragma once
// Sweeps (docs/algorithms.md, "Sweeps and the comparison table"): for a partition + router,
// translate a test set at each K and measure BLEU, wall time, FFN-only time, router recall@K and
// the FFN output's relative error; also the classic comparison table (dense and K = 1, 2, 4, 8 over
// the first 10, 15, 20, 25, 30 sentences). Dense and MoE are timed interleaved
// (InterleavedTiming.h): each speed-up is the median of per-round dense / MoE ratios with its
// spread ("±"), since one timing on a shared machine says little.

#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/Translator.h"
#include "moewb/util/Feedback.h"
#include "moewb/util/InterleavedTiming.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace moewb {

struct SweepOptions {
    std::vector<int> encoderKs;  // encoder K values; empty = 1, 2, 4, …, N (default empty)
    std::vector<int> decoderKs;  // decoder K values; empty = same as the encoder's (default empty)
    bool grid = false;  // every encoder K × decoder K pair, else pairs K = K (default false)
    std::vector<double> thresholds;   // dynamic-K rows, one per threshold τ (default none)
    int dynamicMaxK = 0;              // most experts per token in those rows; 0 = N / 2 (default 0)
    DecodeOptions decoding;           // greedy, batch 32 unless changed (default greedy)
    InterleavedTimingOptions timing;  // rounds of dense / MoE per K (default 3 to 5, until stable)
    // The model the MoE rows run (a fine-tuned MoE, whose experts were built from it); the dense
    // row keeps the sweep's model. Null = the sweep's model for both (default null).
    std::shared_ptr<NmtModel> moeModel;
};

// The JSON written by toJson(); files without "format_version" are version 1 (no speed-up
// spread, no token counts) and still load; newer versions are refused.
constexpr int kSweepFormatVersion = 3;
// The columns of SweepResult::toCsv(), in order (ms_per_token: milliseconds per target token).
inline constexpr const char* kSweepCsvHeader =
    "partition,router,encoder_k,decoder_k,bleu,seconds,ffn_seconds,speedup,speedup_spread,"
    "ffn_speedup,target_tokens,ms_per_token,token_speedup,token_speedup_spread,rounds,recall,"
    "ffn_error,threshold,compute";

struct SweepRow {
    int encoderK = 0, decoderK = 0;  // 0 = dense; with a threshold: the most experts per token
    double threshold = 0;            // dynamic K's τ (MoeLayer::setThreshold); 0 = fixed K
    // Share of the dense FFN multiply-adds done (MoeCompute::fraction(): router and shared
    // neurons included, token-weighted over encoder and decoder); 1 for dense.
    double compute = 1;
    double bleu = 0;
    double seconds = 0;     // median wall time of translating the test set over the rounds
    double ffnSeconds = 0;  // of which inside the FFNs (routing included), median
    double recall = 0;      // mean held-out recall@K over layers (from the router file)
    double ffnError = 0;    // mean relative FFN output error on the given FFN inputs
    // Timing against dense, measured in interleaved rounds (1 and 0 for the dense row itself).
    double speedup = 1;             // median of per-round dense time / this time
    double speedupSpread = 0;       // its "±" (InterleavedTiming.h)
    double ffnSpeedup = 1;          // median of per-round dense FFN time / this FFN time
    int64_t targetTokens = 0;       // subword tokens written, EOS included (0: unknown, v1 file)
    double tokenSpeedup = 0;        // speed-up per target token (0: unknown, v1 file)
    double tokenSpeedupSpread = 0;  // its "±"
    int rounds = 1;                 // timed rounds behind the medians
    // Seconds per target token (0 when unknown): a weak K can write longer or shorter outputs.
    double secondsPerToken() const { return targetTokens > 0 ? seconds / targetTokens : 0.0; }
};

struct SweepResult {
    std::string partition, router;
    int numExperts = 0;
    // The identities of its parents: partitionHash() of the partition and the router file's
    // content hash (RouterSet::contentHash). "" when unknown (files written before they were
    // recorded, a router set never saved); the project marks a sweep stale when they changed.
    std::string partitionHash, routerHash;
    SweepRow dense;  // all dense rounds of the sweep, pooled
    std::vector<SweepRow> rows;
    nlohmann::json toJson() const;  // format kSweepFormatVersion
    std::string toCsv() const;
    // Inverse of toJson(); throws std::invalid_argument naming a missing or mistyped field, or
    // for a format version newer than this program reads.
    static SweepResult fromJson(const nlohmann::json& json);
};

SweepResult runSweep(NmtModel& model, const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                     const RouterSet& routers, const ParallelCorpus& testSet,
                     const std::vector<torch::Tensor>& ffnInputs, const SweepOptions& options,
                     Feedback& feedback);

struct ComparisonCell {
    double seconds = 0;  // median wall time over the rounds
    double bleu = 0;
    double speedup = 1;        // median of per-round dense time / this time (1 for dense)
    double speedupSpread = 0;  // its "±" (InterleavedTiming.h)
    int64_t targetTokens = 0;  // subword tokens written, EOS included (0: unknown, v1 file)
    double tokenSpeedup = 0;   // speed-up per target token (0: unknown, v1 file)
    int rounds = 1;            // timed rounds behind the medians
};
// table[s][c]: s over sentence counts, c = 0 dense then one per K.
struct ComparisonTable {
    std::vector<int> sentenceCounts;  // 10, 15, 20, 25, 30
    std::vector<int> ks;              // 1, 2, 4, 8
    std::vector<std::vector<ComparisonCell>> cells;
    std::string partition, router;  // what the MoE columns ran with (empty when unknown)
    int numExperts = 0;             // N of the partition; the dense column runs K = N (0 unknown)
    std::string partitionHash, routerHash;  // its parents, as in SweepResult ("" unknown)
    DecodeOptions decoding;                 // decoding settings shared by every cell
    std::string toText() const;
    nlohmann::json toJson() const;  // format kSweepFormatVersion
    // Inverse of toJson(); throws std::invalid_argument naming a missing or mistyped field, when
    // the cells do not match the sentence counts and Ks, or for a newer format version.
    static ComparisonTable fromJson(const nlohmann::json& json);
};
// Per sentence count, dense and every K run in interleaved rounds (dense, K1, K2, …, dense, …):
// the runs are short, so a round is over before the machine drifts. `moeModel` (optional) runs
// the K columns, `model` the dense one (a fine-tuned MoE against its dense model).
ComparisonTable runComparisonTable(NmtModel& model,
                                   const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                                   const RouterSet& routers, const ParallelCorpus& testSet,
                                   const std::vector<int>& sentenceCounts,
                                   const std::vector<int>& ks, const DecodeOptions& decoding,
                                   Feedback& feedback, const InterleavedTimingOptions& timing = {},
                                   NmtModel* moeModel = nullptr);

}  // namespace moewb
