#pragma once
// One FFN layer's split of its d_ff neurons into N experts (docs/algorithms.md, "Partitioners").
// Every partitioner returns this, the MoE layer permutes W1/W2 with permutation(), and the project
// stores it with toJson() (docs/formats.md, "Partition file"). Experts all have the same size so
// the expert weights stack into one [N, m, d_model] tensor; that is why validate() insists on
// exactly equal sizes.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace moewb {

// Throws std::invalid_argument unless numExperts is a power of two >= 2 that divides dFf (the
// issue's rule: experts of exactly d_ff / N). The message lists the valid choices for this d_ff.
void validatePartitionOptions(int dFf, int numExperts);

// The identity of one layer's expert layout: N, the shared neuron count and the neuron order
// (ExpertPartition::permutation()), hashed. Equal exactly when the same neurons form the same
// numbered experts, which is what a router's choices refer to. ExpertFfn keeps it too.
uint64_t expertLayoutHash(int numExperts, int sharedNeurons, const std::vector<int>& neuronOrder);

struct ExpertPartition {
    std::string method;                     // "metis", "kmeans", "random", ...
    int numExperts = 0;                     // N; experts.size() once filled
    std::vector<std::vector<int>> experts;  // neuron ids of each expert (each sorted ascending)
    std::vector<int> shared;                // neurons in every expert (importance method)
    std::map<std::string, double> quality;  // method-specific figures, e.g. "intra_share"

    // Throws std::invalid_argument with a clear message unless numExperts == experts.size() >= 1,
    // every neuron 0..dFf-1 is in exactly one expert or in `shared`, and all experts have the
    // same, non-zero size.
    void validate(int dFf) const;

    // Neurons listed in experts plus shared ones (d_ff of a valid partition).
    int neuronCount() const;
    // Neurons per expert (m = d_ff / N without shared neurons); 0 when there are no experts.
    int expertSize() const;

    // Neuron order expert by expert (expert 0's neurons, then expert 1's, ...), followed by the
    // shared neurons, so expert e is the contiguous block [e*m, (e+1)*m). Gathering W1's rows in
    // this order gives the [N, m, d_model] layout (docs/algorithms.md, "Expert layout").
    std::vector<int> permutation() const;

    // expertLayoutHash() of this partition.
    uint64_t layoutHash() const;

    // For each neuron 0..neuronCount()-1 its expert, or -1 for a shared neuron. Validates first.
    std::vector<int> expertOf() const;

    // {"method", "num_experts", "expert_size", "experts", "shared", "quality"}; non-finite quality
    // figures are written as null (JSON has no NaN) and read back as NaN.
    nlohmann::json toJson() const;
    // Throws std::invalid_argument naming the missing or mistyped field. Does not validate
    // against a d_ff (the caller knows it); call validate(dFf) after.
    static ExpertPartition fromJson(const nlohmann::json& json);
};

}  // namespace moewb
