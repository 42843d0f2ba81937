#include "moewb/workflow/ProjectSteps.h"

#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/moe/ExpertPartition.h"
#include "moewb/moe/ImportancePartitioner.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace moewb {

ParallelCorpus loadTrainingData(const CorpusSource& source, Feedback& feedback) {
    ParallelCorpus corpus = loadCorpus(source, feedback);
    if (source.kind != CorpusSource::Kind::Ding) {
        return corpus;  // a corpus the user chose is used whole
    }
    return splitCorpus(corpus, SplitOptions{}).train;
}

ParallelCorpus StepPairs::load(Feedback& feedback) const {
    return loaded ? *loaded : loadTrainingData(source, feedback);
}

ProfileStepResult runProfileStep(const Project& project, NmtModel& model,
                                 const ProfileStepOptions& options, Feedback& feedback) {
    SubFeedback reading(feedback, 0.0, 0.1);
    const ParallelCorpus data = options.data.load(reading);
    ProfileOptions profileOptions;
    profileOptions.tokenBudget = options.tokens;
    SubFeedback profiling(feedback, 0.1, 1.0);
    const auto start = std::chrono::steady_clock::now();
    auto profile =
        std::make_shared<ProfileResult>(profileModel(model, data.pairs, profileOptions, profiling));
    ProfileStepResult result;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.path = project.profilePath();
    saveProfile(result.path, *profile);
    result.profile = std::move(profile);
    result.dataDescription = data.description;
    result.stepKey = "profile";
    result.stepOptions = {{"tokens", options.tokens}, {"data", data.description}};
    return result;
}

std::string partitionStepName(const PartitionStepOptions& options) {
    return options.name.empty() ? options.partition.method : options.name;
}

const std::vector<std::string>& partitionMethods() {
    static const std::vector<std::string> methods = {"metis", "kmeans", "importance", "random"};
    return methods;
}

void validatePartitionStep(const NmtModel& model, const PartitionStepOptions& options) {
    const std::string& method = options.partition.method;
    const auto& methods = partitionMethods();
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
        throw std::invalid_argument(
            "the partition method is metis, kmeans, importance or random, "
            "not '" +
            method + "'");
    }
    validateArtifactName(partitionStepName(options));
    const int dFf = model.config().dFf;
    if (method == "importance") {
        ImportancePartitionOptions importance;
        importance.numExperts = options.partition.numExperts;
        importance.sharedNeurons = options.partition.sharedNeurons;
        validateImportanceOptions(dFf, importance);
    } else {
        validatePartitionOptions(dFf, options.partition.numExperts);
    }
}

PartitionStepResult runPartitionStep(const Project& project, NmtModel& model,
                                     const PartitionStepOptions& options, Feedback& feedback,
                                     const ProfileResult* profile) {
    validatePartitionStep(model, options);
    const std::string& method = options.partition.method;
    ProfileResult read;
    if (method == "metis" && !profile) {
        if (!fileExists(project.profilePath())) {
            throw std::runtime_error(
                "METIS partitions the co-activation graph of the profile, and " +
                project.profilePath() + " does not exist: run the profile step first");
        }
        read = loadProfile(project.profilePath());
        profile = &read;
    }
    // Importance is measured with gradients of the translation loss on training pairs.
    ParallelCorpus data;
    if (method == "importance") {
        SubFeedback reading(feedback, 0.0, 0.05);
        data = options.data.load(reading);
    }
    // The partitioner reads the shared model (importance differentiates a private copy).
    SubFeedback run(feedback, 0.05, 1.0);
    auto set = std::make_shared<PartitionSet>(partitionModel(
        model, method == "metis" ? profile : nullptr, data.pairs, options.partition, run));
    if (!data.description.empty()) {
        set->options["data"] = data.description;
    }
    PartitionStepResult result;
    result.name = partitionStepName(options);
    result.path = project.partitionPath(result.name);
    savePartitionSet(result.path, *set);
    result.experts = buildExperts(model, *set);
    result.stepKey = "partition:" + result.name;
    result.stepOptions = set->options;
    result.set = std::move(set);
    return result;
}

std::string routeStepName(const RouteStepOptions& options) {
    return options.name.empty() ? options.partition + "-" + options.training.kind : options.name;
}

RouteStepResult runRouteStep(const Project& project, NmtModel& model,
                             const RouteStepOptions& options, Feedback& feedback,
                             const std::vector<std::shared_ptr<ExpertFfn>>* experts) {
    if (options.partition.empty()) {
        throw std::invalid_argument("routers pick experts of a partition: name the partition");
    }
    RouteStepResult result;
    result.name = routeStepName(options);
    result.path = project.routerPath(result.name);  // validates the name before any work
    std::vector<std::shared_ptr<ExpertFfn>> built;
    if (!experts) {
        const std::string partitionPath = project.partitionPath(options.partition);
        if (!fileExists(partitionPath)) {
            throw std::runtime_error("partition '" + options.partition + "' does not exist (" +
                                     partitionPath + "): run the partition step first");
        }
        built = buildExperts(model, loadPartitionSet(partitionPath));
        experts = &built;
    }
    SubFeedback reading(feedback, 0.0, 0.05);
    const ParallelCorpus data = options.data.load(reading);
    std::vector<torch::Tensor> tokenIds;  // the hash router's key
    SubFeedback collect(feedback, 0.05, 0.2);
    const auto inputs = collectFfnInputs(model, data.pairs, options.tokens, collect, &tokenIds);
    SubFeedback train(feedback, 0.2, 1.0);
    auto set = std::make_shared<RouterSet>(
        trainRouters(*experts, inputs, options.training, train, &tokenIds));
    set->partition = options.partition;
    set->contentHash = saveRouterSet(result.path, *set);
    result.set = std::move(set);
    result.stepKey = "route:" + result.name;
    result.stepOptions = {{"partition", options.partition},
                          {"router", options.training.kind},
                          {"seed", options.training.mlp.seed},
                          {"data", data.description}};
    return result;
}

SweepStepResult runSweepStep(const Project& project, NmtModel& dense, const ProjectMoe& moe,
                             const SweepStepOptions& options, Feedback& feedback) {
    if (!moe.routers || moe.experts.empty() || !moe.model) {
        throw std::invalid_argument("a sweep runs a router: choose one the routers step made");
    }
    SweepStepResult result;
    result.name = options.name;
    result.jsonPath = project.sweepPath(options.name, "json");  // validates the name
    ParallelCorpus test = options.testSet ? *options.testSet : loadDemoSet();
    if (options.sentenceLimit > 0 && std::size_t(options.sentenceLimit) < test.pairs.size()) {
        test.pairs.resize(std::size_t(options.sentenceLimit));
    }
    if (test.pairs.empty()) {
        throw std::invalid_argument("the test set has no sentence pairs to translate");
    }
    result.testDescription = test.description;
    result.sentences = test.pairs.size();
    // A fine-tuned MoE runs its own model; the dense rows stay `dense`, the model it came from.
    NmtModel* moeModel = moe.fineTuned ? moe.model.get() : nullptr;
    if (options.comparison) {
        std::vector<int> ks;  // the classic Ks that exist for this N (N = 4 has no K = 8)
        for (int k : options.comparisonKs) {
            if (k <= moe.numExperts()) {
                ks.push_back(k);
            }
        }
        auto table = std::make_shared<ComparisonTable>(runComparisonTable(
            dense, moe.experts, *moe.routers, test, options.comparisonSentences, ks,
            options.sweep.decoding, feedback, options.sweep.timing, moeModel));
        writeFileAtomic(result.jsonPath, table->toJson().dump(1) + "\n");
        result.comparison = std::move(table);
        return result;
    }
    result.csvPath = project.sweepPath(options.name, "csv");
    // The FFN error is measured on inputs from the test sentences themselves (teacher forced).
    SubFeedback collect(feedback, 0.0, 0.1);
    const auto inputs = collectFfnInputs(*moe.model, test.pairs, options.ffnTokens, collect);
    SweepOptions sweepOptions = options.sweep;
    sweepOptions.moeModel = moe.fineTuned ? moe.model : nullptr;
    SubFeedback run(feedback, 0.1, 1.0);
    auto sweep = std::make_shared<SweepResult>(
        runSweep(dense, moe.experts, *moe.routers, test, inputs, sweepOptions, run));
    writeFileAtomic(result.csvPath, sweep->toCsv());
    writeFileAtomic(result.jsonPath, sweep->toJson().dump(1) + "\n");
    result.sweep = std::move(sweep);
    return result;
}

}  // namespace moewb
