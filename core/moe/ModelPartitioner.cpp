#include "moewb/moe/ModelPartitioner.h"

#include "moewb/moe/BalancedKMeansPartitioner.h"
#include "moewb/moe/MetisPartitioner.h"
#include "moewb/moe/RandomPartitioner.h"
#include "moewb/nmt/NmtModel.h"

#include <torch/torch.h>

#include <stdexcept>

namespace moewb {

PartitionSet partitionModel(NmtModel& model, const ProfileResult* profile,
                            const ModelPartitionOptions& options, Feedback& feedback) {
    auto ffns = model.transformer()->feedForwards();
    const int dFf = static_cast<int>(ffns[0]->w1.size(0));
    validatePartitionOptions(dFf, options.numExperts);
    if (options.method != "metis" && options.method != "kmeans" && options.method != "random") {
        throw std::invalid_argument("unknown partition method '" + options.method +
                                    "': choose metis, kmeans or random");
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
    const int encoderLayers = model.config().encoderLayers;
    for (std::size_t l = 0; l < ffns.size(); ++l) {
        const int index = static_cast<int>(l);
        set.layerNames.push_back(index < encoderLayers
                                     ? "encoder" + std::to_string(index)
                                     : "decoder" + std::to_string(index - encoderLayers));
        SubFeedback layerFeedback(feedback, double(l) / ffns.size(), double(l + 1) / ffns.size());
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
