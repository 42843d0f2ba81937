#include "moewb/project/ArtifactLineage.h"

#include "moewb/moe/RouterSet.h"
#include "moewb/moe/Sweep.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace moewb {

std::vector<StaleArtifact> findStaleArtifacts(const Project& project) {
    std::vector<StaleArtifact> stale;
    std::map<std::string, std::string> partitionHashes;  // name -> hash, readable ones only
    for (const auto& name : project.partitionNames()) {
        try {
            partitionHashes[name] = partitionHash(loadPartitionSet(project.partitionPath(name)));
        } catch (const std::exception&) {
            // Reported by whoever loads it.
        }
    }
    std::set<std::string> routerHashes;
    for (const auto& name : project.routerNames()) {
        try {
            const std::string path = project.routerPath(name);
            const auto header = readRouterHeader(path);
            routerHashes.insert(header.contentHash);
            if (partitionHashes.count(header.partition) == 0) {
                continue;  // a missing partition is reported when the router is loaded
            }
            const std::string partitionPath = project.partitionPath(header.partition);
            const auto why = routerPartitionMismatch(path, header, partitionPath,
                                                     loadPartitionSet(partitionPath));
            if (!why.empty()) {
                stale.push_back({StaleArtifact::Kind::Router, name, why});
            }
        } catch (const std::exception&) {
        }
    }
    for (const auto& name : project.sweepNames()) {
        try {
            const std::string path = project.sweepPath(name, "json");
            const auto document = nlohmann::json::parse(readFileBytes(path));
            std::string partition, partitionHashThen, routerHashThen;
            if (document.contains("cells")) {
                const auto table = ComparisonTable::fromJson(document);
                partition = table.partition;
                partitionHashThen = table.partitionHash;
                routerHashThen = table.routerHash;
            } else {
                const auto sweep = SweepResult::fromJson(document);
                partition = sweep.partition;
                partitionHashThen = sweep.partitionHash;
                routerHashThen = sweep.routerHash;
            }
            const auto now = partitionHashes.find(partition);
            const std::string rerun = "; re-run the sweep (moewb sweep " + project.folder() +
                                      " --router NAME --name " + name + ")";
            if (!partitionHashThen.empty() &&
                (now == partitionHashes.end() || now->second != partitionHashThen)) {
                stale.push_back({StaleArtifact::Kind::Sweep, name,
                                 path + " was measured on partition '" + partition + "' before " +
                                     project.partitionPath(partition) + " was re-run or removed" +
                                     rerun});
            } else if (!routerHashThen.empty() && routerHashes.count(routerHashThen) == 0) {
                stale.push_back({StaleArtifact::Kind::Sweep, name,
                                 path +
                                     " was measured with a router that has since been "
                                     "re-trained or removed" +
                                     rerun});
            }
        } catch (const std::exception&) {
        }
    }
    return stale;
}

}  // namespace moewb
