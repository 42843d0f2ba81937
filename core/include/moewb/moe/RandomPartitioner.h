#pragma once
// Random partitioner (docs/algorithms.md, "Random"): the baseline every structured method must
// beat. A seeded permutation of the d_ff neurons cut into N equal consecutive blocks.

#include "moewb/moe/ExpertPartition.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>

namespace moewb {

class Feedback;

struct RandomPartitionOptions {
    int numExperts = 16;     // N: a power of two >= 2 dividing d_ff (default 16)
    std::uint64_t seed = 1;  // seeds the permutation (std::mt19937_64) (default 1)

    nlohmann::json toJson() const;
};

class RandomPartitioner {
public:
    static constexpr const char* kMethod = "random";

    explicit RandomPartitioner(RandomPartitionOptions options = {});
    const RandomPartitionOptions& options() const { return m_options; }

    // Splits neurons 0..dFf-1. The shuffle is a Fisher-Yates on the raw generator output, so a
    // seed gives the same partition with every standard library. Each expert's ids are sorted.
    // Throws std::invalid_argument for bad options; OperationCancelled when cancelled.
    ExpertPartition partition(int dFf, Feedback& feedback) const;

private:
    RandomPartitionOptions m_options;
};

}  // namespace moewb
