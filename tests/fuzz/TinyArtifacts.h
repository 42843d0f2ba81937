#pragma once
// The small artifacts the fuzz targets and their seed generator (make_fuzz_seeds.cpp) agree on:
// FFN layers of d_model 8 and d_ff 16 cut into 4 experts, two of them (the FFNs of a model with
// one encoder and one decoder layer). Seeds built on these load, so the fuzzers start deep inside
// the readers instead of at their first check.

#include "moewb/moe/ExpertFfn.h"
#include "moewb/project/ArtifactFiles.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace moewb::fuzz {

constexpr int kDModel = 8;
constexpr int kDFf = 16;
constexpr int kExperts = 4;
constexpr int kLayers = 2;  // FFN layers: one encoder, one decoder

// Neurons 0..15 in 4 contiguous experts.
inline PartitionSet tinyPartitionSet() {
    PartitionSet set;
    set.method = "random";
    set.options = {{"experts", kExperts}, {"seed", 1}};
    for (int l = 0; l < kLayers; ++l) {
        ExpertPartition partition;
        partition.method = "random";
        partition.numExperts = kExperts;
        for (int e = 0; e < kExperts; ++e) {
            std::vector<int> expert;
            for (int j = 0; j < kDFf / kExperts; ++j) {
                expert.push_back(e * (kDFf / kExperts) + j);
            }
            partition.experts.push_back(expert);
        }
        partition.quality["intra_share"] = 0.25;
        set.layerNames.push_back(l == 0 ? "encoder0" : "decoder0");
        set.layers.push_back(partition);
    }
    return set;
}

// Seeded FFN layers of the tiny size, split by `set` (one ExpertFfn per layer).
inline std::vector<std::shared_ptr<ExpertFfn>> tinyExperts(const PartitionSet& set) {
    torch::manual_seed(3);
    std::vector<std::shared_ptr<ExpertFfn>> experts;
    for (const auto& layer : set.layers) {
        FeedForward ffn(kDModel, kDFf);
        experts.push_back(std::make_shared<ExpertFfn>(*ffn, layer));
    }
    return experts;
}

}  // namespace moewb::fuzz
