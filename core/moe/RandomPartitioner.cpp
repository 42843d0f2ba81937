#include "moewb/moe/RandomPartitioner.h"

#include "moewb/util/Feedback.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <utility>

namespace moewb {

nlohmann::json RandomPartitionOptions::toJson() const {
    return {{"num_experts", numExperts}, {"seed", seed}};
}

RandomPartitioner::RandomPartitioner(RandomPartitionOptions options) : m_options(options) {}

ExpertPartition RandomPartitioner::partition(int dFf, Feedback& feedback) const {
    feedback.throwIfCancelled();
    validatePartitionOptions(dFf, m_options.numExperts);
    feedback.setProgress(0.0, "random partition");

    std::vector<int> order(static_cast<std::size_t>(dFf));
    std::iota(order.begin(), order.end(), 0);
    // std::shuffle's algorithm is unspecified; this one is fixed. The modulo bias is below
    // 2^-40 for any realistic d_ff.
    std::mt19937_64 rng(m_options.seed);
    for (int i = dFf - 1; i > 0; --i) {
        const auto j = static_cast<int>(rng() % static_cast<std::uint64_t>(i + 1));
        std::swap(order[i], order[j]);
    }

    ExpertPartition result;
    result.method = kMethod;
    result.numExperts = m_options.numExperts;
    const int size = dFf / m_options.numExperts;
    for (int e = 0; e < m_options.numExperts; ++e) {
        std::vector<int> expert(order.begin() + e * size, order.begin() + (e + 1) * size);
        std::sort(expert.begin(), expert.end());
        result.experts.push_back(std::move(expert));
    }
    result.validate(dFf);
    feedback.setProgress(1.0, "random partition");
    return result;
}

}  // namespace moewb
