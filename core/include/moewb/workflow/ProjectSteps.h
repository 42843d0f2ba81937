#pragma once
// The project's steps as one API (docs/architecture.md, "The workflow"): profile, partition,
// route and sweep. `moewb` commands, the GUI's ProjectSession and `moewb demo` call these and add
// only how they present the result. Each step takes its options and a Feedback (progress and
// cancel), writes its artifact atomically into the project's folder and returns what it made.
// project.json is the caller's to update (`stepKey` / `stepOptions` of each result), since the
// GUI edits it on its own thread.

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/ParallelCorpus.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/Profiler.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/moe/Sweep.h"
#include "moewb/util/Feedback.h"
#include "moewb/workflow/ProjectMoe.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moewb {

class NmtModel;
class Project;

// The pairs the profile, importance-partition and route steps learn from: a Moses or TSV corpus
// whole, or by default the Ding dictionary's sentence train split (CorpusSplit.h), so that the
// test split never leaks into what experts and routers are fitted on.
ParallelCorpus loadTrainingData(const CorpusSource& source, Feedback& feedback);

// Where a step's training pairs come from.
struct StepPairs {
    CorpusSource source;  // the corpus (default: the installed Ding dictionary, sentences)
    // Pairs already loaded with loadTrainingData() (several steps in one run read them once);
    // null = read `source` (default null).
    std::shared_ptr<const ParallelCorpus> loaded;

    ParallelCorpus load(Feedback& feedback) const;
};

struct ProfileStepOptions {
    int64_t tokens = 20000;  // source + target tokens profiled (default 20 000)
    StepPairs data;          // the pairs (default: the Ding train split)
};
struct ProfileStepResult {
    std::shared_ptr<const ProfileResult> profile;
    std::string path;             // PROJECT/profile/profile.bin
    std::string dataDescription;  // where the pairs came from
    double seconds = 0;           // profiling time, reading the data aside
    std::string stepKey;          // "profile"
    nlohmann::json stepOptions;   // what project.json records for it
};
ProfileStepResult runProfileStep(const Project& project, NmtModel& model,
                                 const ProfileStepOptions& options, Feedback& feedback);

struct PartitionStepOptions {
    ModelPartitionOptions partition;  // method, N, seed, shared neurons (defaults: METIS, 16)
    std::string name;                 // artifact name; "" = the method's name (default "")
    StepPairs data;  // importance only: the pairs whose loss gradients rank the neurons
};
// The partition methods: "metis", "kmeans", "importance", "random".
const std::vector<std::string>& partitionMethods();
// The artifact name the options give (`name`, else the method).
std::string partitionStepName(const PartitionStepOptions& options);
// Checks before any work that the method exists, the name is usable and N (and the shared
// neurons) split this model's FFN: std::invalid_argument saying what to choose instead.
void validatePartitionStep(const NmtModel& model, const PartitionStepOptions& options);
struct PartitionStepResult {
    std::string name, path;
    std::shared_ptr<const PartitionSet> set;
    std::vector<std::shared_ptr<ExpertFfn>> experts;  // built from the model's weights
    std::string stepKey;                              // "partition:NAME"
    nlohmann::json stepOptions;
};
// `profile` (METIS only) is the project's profile when the caller holds it; null = read
// PROJECT/profile/profile.bin, and without it a std::runtime_error says to profile first.
PartitionStepResult runPartitionStep(const Project& project, NmtModel& model,
                                     const PartitionStepOptions& options, Feedback& feedback,
                                     const ProfileResult* profile = nullptr);

struct RouteStepOptions {
    std::string partition;           // the partition routed over (required)
    RouterTrainingOptions training;  // kind (default mlp), MLP epochs and seed, hash seed
    int64_t tokens = 20000;          // FFN inputs collected to train and measure on (default)
    std::string name;                // artifact name; "" = PARTITION-KIND (default "")
    StepPairs data;                  // the pairs (default: the Ding train split)
};
std::string routeStepName(const RouteStepOptions& options);
struct RouteStepResult {
    std::string name, path;
    std::shared_ptr<const RouterSet> set;
    std::string stepKey;  // "route:NAME"
    nlohmann::json stepOptions;
};
// `experts` are the partition's experts when the caller holds them; null = read the partition
// file and cut them from `model`.
RouteStepResult runRouteStep(const Project& project, NmtModel& model,
                             const RouteStepOptions& options, Feedback& feedback,
                             const std::vector<std::shared_ptr<ExpertFfn>>* experts = nullptr);

struct SweepStepOptions {
    std::string name;         // artifact name (required; callers default it to the router's)
    bool comparison = false;  // the classic comparison table instead of a K sweep (default off)
    SweepOptions sweep;       // Ks, grid, τ rows, decoding and timing (moeModel: set by the step)
    // The sentences translated; none = the built-in demo set (DemoSet.h) (default none).
    std::optional<ParallelCorpus> testSet;
    int sentenceLimit = 0;      // translate only the first N sentences; 0 = all (default 0)
    int64_t ffnTokens = 20000;  // test tokens, teacher forced, for the FFN error (default 20 000)
    // The comparison table's sentence counts and Ks (Ks above N are left out).
    std::vector<int> comparisonSentences = {10, 15, 20, 25, 30};
    std::vector<int> comparisonKs = {1, 2, 4, 8};
};
struct SweepStepResult {
    std::string name;
    std::string jsonPath, csvPath;                      // csvPath "" for a comparison table
    std::shared_ptr<const SweepResult> sweep;           // null for a comparison table
    std::shared_ptr<const ComparisonTable> comparison;  // null for a sweep
    std::string testDescription;
    std::size_t sentences = 0;
};
// Translates the test set dense with `dense` and with `moe` (its own model when fine-tuned) and
// saves PROJECT/sweeps/NAME.json (and .csv for a sweep).
SweepStepResult runSweepStep(const Project& project, NmtModel& dense, const ProjectMoe& moe,
                             const SweepStepOptions& options, Feedback& feedback);

}  // namespace moewb
