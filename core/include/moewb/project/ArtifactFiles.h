#pragma once
// Reading and writing the project's artifacts. Profiles are binary (a 1024×1024 count matrix per
// layer); partitions and routers are versioned JSON. All writes are atomic; readers name the file
// and what is wrong, and refuse newer format versions.

#include "moewb/moe/ExpertPartition.h"
#include "moewb/moe/Profiler.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace moewb {

// Layout: "MOEWBPRF" | u32 version | u64 header size | header JSON | per layer: d_ff × i64
// activations, then d_ff × d_ff × u32 co-activation counts (counts never exceed the token count,
// which the header checks is below 2³²).
void saveProfile(const std::string& path, const ProfileResult& profile);
ProfileResult loadProfile(const std::string& path);

// One partition method applied to every FFN layer of a model.
struct PartitionSet {
    std::string method;                   // "metis", "kmeans", "random"
    nlohmann::json options;               // the partitioner's options
    std::vector<std::string> layerNames;  // "encoder0" …
    std::vector<ExpertPartition> layers;  // one per FFN layer
};
void savePartitionSet(const std::string& path, const PartitionSet& set);
PartitionSet loadPartitionSet(const std::string& path);

// The content hash of a partition set (16 hex digits): the layers' expertLayoutHash() values,
// hashed in order. Re-running a partition step with the same options gives the same hash; any
// change of an expert's neurons or of N gives another. Routers and sweeps record it.
std::string partitionHash(const PartitionSet& set);
// The same from the layer hashes (ExpertFfn::layoutHash() of built experts gives the same value).
std::string partitionHash(const std::vector<uint64_t>& layerHashes);

}  // namespace moewb
