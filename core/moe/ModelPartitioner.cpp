#include "moewb/moe/ModelPartitioner.h"

#include "moewb/moe/BalancedKMeansPartitioner.h"
#include "moewb/moe/ImportancePartitioner.h"
#include "moewb/moe/MetisPartitioner.h"
#include "moewb/moe/RandomPartitioner.h"
#include "moewb/nmt/NmtModel.h"

#include <torch/torch.h>

#include <stdexcept>

namespace moewb {

namespace {

ImportancePartitionOptions importanceOptions(const ModelPartitionOptions& options) {
    ImportancePartitionOptions o;
    o.numExperts = options.numExperts;
    o.sharedNeurons = options.sharedNeurons;
    o.tokenBudget = options.importanceTokens;
    o.seed = options.seed;
    return o;
}

}  // namespace

PartitionSet partitionModel(NmtModel& model, const ProfileResult* profile,
                            const ModelPartitionOptions& options, Feedback& feedback) {
    return partitionModel(model, profile, {}, options, feedback);
}

PartitionSet partitionModel(NmtModel& model, const ProfileResult* profile,
                            const std::vector<SentencePair>& trainingPairs,
                            const ModelPartitionOptions& options, Feedback& feedback) {
    auto ffns = model.transformer()->feedForwards();
    const int dFf = static_cast<int>(ffns[0]->w1.size(0));
    if (options.method != "metis" && options.method != "kmeans" && options.method != "random" &&
        options.method != "importance") {
        throw std::invalid_argument("unknown partition method '" + options.method +
                                    "': choose metis, kmeans, importance or random");
    }
    if (options.method == "importance") {
        validateImportanceOptions(dFf, importanceOptions(options));
        if (trainingPairs.empty()) {
            throw std::invalid_argument(
                "the importance method needs training sentence pairs to take gradients on");
        }
    } else {
        validatePartitionOptions(dFf, options.numExperts);
    }
    if (options.method == "metis") {
        if (!profile) {
            throw std::invalid_argument("the metis method needs a profile: run the profile step");
        }
        if (profile->layers.size() != ffns.size() || profile->layers[0].dFf != dFf) {
            throw std::invalid_argument(
                "the profile does not belong to this model (layers or "
                "d_ff differ); profile the model again");
        }
    }
    PartitionSet set;
    set.method = options.method;
    set.options = {{"num_experts", options.numExperts}, {"seed", options.seed}};
    // Importance: one set of backward passes serves every layer, so measure before the loop.
    NeuronImportance importance;
    double loopStart = 0.0;
    if (options.method == "importance") {
        set.options = importanceOptions(options).toJson();
        SubFeedback measuring(feedback, 0.0, 0.95);
        importance = ImportancePartitioner(importanceOptions(options))
                         .measure(model, trainingPairs, measuring);
        set.options["sample_source_tokens"] = importance.sourceTokens;
        set.options["sample_target_tokens"] = importance.targetTokens;
        set.options["sample_sentences"] = importance.sentences;
        loopStart = 0.95;
    }
    const int encoderLayers = model.config().encoderLayers;
    for (std::size_t l = 0; l < ffns.size(); ++l) {
        const int index = static_cast<int>(l);
        set.layerNames.push_back(index < encoderLayers
                                     ? "encoder" + std::to_string(index)
                                     : "decoder" + std::to_string(index - encoderLayers));
        const double span = 1.0 - loopStart;
        SubFeedback layerFeedback(feedback, loopStart + span * l / ffns.size(),
                                  loopStart + span * (l + 1) / ffns.size());
        layerFeedback.setProgress(0.0, "partitioning " + set.layerNames.back());
        if (options.method == "metis") {
            MetisPartitionOptions o;
            o.numExperts = options.numExperts;
            o.seed = static_cast<int>(options.seed);
            const auto& counts = profile->layers[l].coActivation;
            const Eigen::Map<const CoActivationMatrix> c(counts.data(), dFf, dFf);
            set.layers.push_back(MetisPartitioner(o).partition(c, layerFeedback));
        } else if (options.method == "kmeans") {
            KMeansPartitionOptions o;
            o.numExperts = options.numExperts;
            o.seed = options.seed;
            const auto w1 = ffns[l]->w1.detach().contiguous();
            const Eigen::Map<const WeightMatrix> w(w1.data_ptr<float>(), w1.size(0), w1.size(1));
            set.layers.push_back(BalancedKMeansPartitioner(o).partition(w, layerFeedback));
        } else if (options.method == "importance") {
            set.layers.push_back(ImportancePartitioner(importanceOptions(options))
                                     .partition(importance.layers[l], layerFeedback));
        } else {
            RandomPartitionOptions o;
            o.numExperts = options.numExperts;
            o.seed = options.seed + l;
            set.layers.push_back(RandomPartitioner(o).partition(dFf, layerFeedback));
        }
    }
    feedback.setProgress(1.0, "partitioned " + std::to_string(ffns.size()) + " layers");
    return set;
}

}  // namespace moewb
