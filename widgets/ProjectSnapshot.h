#pragma once
// Everything a project holds, read off the GUI thread by ProjectSession::open() and swapped in at
// once: the model and every artifact, what could not be read, and which routers and sweeps are
// stale (made from an older partition or router, ArtifactLineage.h).

#include "WorkbenchData.h"

#include "moewb/project/ArtifactLineage.h"
#include "moewb/project/Project.h"

#include <QList>
#include <QMap>
#include <QStringList>

#include <optional>
#include <string>
#include <vector>

namespace moewb {
class Feedback;
}

namespace moewb::gui {

// Stale artifacts by name (routers/NAME.json, sweeps/NAME.json), each with its one-line reason.
struct StaleArtifacts {
    QMap<QString, QString> routers;
    QMap<QString, QString> sweeps;
    static StaleArtifacts from(const std::vector<moewb::StaleArtifact>& list);
    // The reasons in `this` that `before` did not have (what a step has just orphaned).
    QStringList newSince(const StaleArtifacts& before) const;
};

struct ProjectSnapshot {
    std::optional<moewb::Project> project;
    ModelHandle model;
    ProfileHandle profile;
    QList<PartitionEntry> partitions;
    QList<RouterEntry> routers;  // stale ones are left out: their experts do not exist
    QList<SweepEntry> sweeps;
    QList<ComparisonEntry> comparisons;
    QStringList tunedModels;
    QStringList problems;  // artifacts that could not be read (reported, not fatal)
    StaleArtifacts stale;

    // Opens the folder (creating project.json when missing; `modelPath` empty = shipped model) and
    // reads everything. A broken or stale artifact is reported and skipped; throws only when the
    // project or its model cannot be read.
    static ProjectSnapshot load(const std::string& folder, const std::string& modelPath,
                                moewb::Feedback& feedback);
};

}  // namespace moewb::gui
