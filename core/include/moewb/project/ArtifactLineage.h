#pragma once
// Which artifacts of a project were made from parents that have changed since: a router trained
// on a partition that was re-run (another N, or another split of the neurons), a sweep measured
// with a partition or router that was re-run or removed. Routers record their partition's hash
// and N (RouterSet.h), sweeps both hashes (Sweep.h); this compares them with the files now in
// the project. The CLI prints a note after a step that orphans artifacts, the GUI marks them.

#include <string>
#include <vector>

namespace moewb {

class Project;

struct StaleArtifact {
    enum class Kind { Router, Sweep };
    Kind kind = Kind::Router;
    std::string name;    // routers/NAME.json or sweeps/NAME.json
    std::string reason;  // one line naming the files and the step to re-run
};

// Every stale router and sweep (comparison tables included) of the project, routers first, each
// sorted by name. Files that cannot be read are skipped: their loaders report them. Artifacts
// written before their parents' hashes were recorded count as stale only when the expert count
// differs (routers) or never (sweeps).
std::vector<StaleArtifact> findStaleArtifacts(const Project& project);

}  // namespace moewb
