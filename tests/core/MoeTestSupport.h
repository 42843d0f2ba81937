#pragma once
// Experts over the tiny test model (NmtTestSupport.h): every FFN layer split with a real
// partitioner, no profile needed (k-means and random only).

#include "NmtTestSupport.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/RouterSet.h"

#include <memory>
#include <string>
#include <vector>

namespace moewb::test {

inline std::vector<std::shared_ptr<ExpertFfn>> tinyExperts(NmtModel& model,
                                                           const std::string& method,
                                                           int numExperts) {
    Feedback feedback;
    ModelPartitionOptions partition;
    partition.method = method;
    partition.numExperts = numExperts;
    return buildExperts(model, partitionModel(model, nullptr, partition, feedback));
}

}  // namespace moewb::test
