#include "ProjectSnapshot.h"

#include "FinetuneSession.h"

#include "moewb/util/AtomicFile.h"
#include "moewb/util/ErrorText.h"
#include "moewb/util/Feedback.h"
#include "moewb/util/Paths.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFileInfo>

#include <functional>

namespace moewb::gui {

namespace {

QStringList jsonStems(const QString& folder) {
    QStringList stems;
    for (const QFileInfo& info : QDir(folder).entryInfoList({"*.json"}, QDir::Files, QDir::Name)) {
        stems << info.completeBaseName();
    }
    return stems;
}

}  // namespace

StaleArtifacts StaleArtifacts::from(const std::vector<moewb::StaleArtifact>& list) {
    StaleArtifacts stale;
    for (const auto& artifact : list) {
        auto& map =
            artifact.kind == moewb::StaleArtifact::Kind::Router ? stale.routers : stale.sweeps;
        map.insert(QString::fromStdString(artifact.name), QString::fromStdString(artifact.reason));
    }
    return stale;
}

QStringList StaleArtifacts::newSince(const StaleArtifacts& before) const {
    QStringList reasons;
    for (auto it = routers.begin(); it != routers.end(); ++it) {
        if (before.routers.value(it.key()) != it.value()) {
            reasons << it.value();
        }
    }
    for (auto it = sweeps.begin(); it != sweeps.end(); ++it) {
        if (before.sweeps.value(it.key()) != it.value()) {
            reasons << it.value();
        }
    }
    return reasons;
}

ProjectSnapshot ProjectSnapshot::load(const std::string& folder, const std::string& modelPath,
                                      moewb::Feedback& feedback) {
    ProjectSnapshot loaded;
    loaded.project = moewb::Project::openOrCreate(folder, modelPath);
    const auto& project = *loaded.project;
    feedback.setProgress(0.05, "loading the model");
    loaded.model.model = moewb::NmtModel::load(project.modelPath());
    loaded.model.path = QString::fromStdString(project.modelPath());
    // A broken artifact is reported and skipped: the rest of the project stays usable.
    auto guarded = [&](const std::string& what, const std::function<void()>& load) {
        try {
            load();
        } catch (const std::exception& error) {
            loaded.problems << QString::fromStdString(what + ": " + moewb::errorText(error));
        }
    };
    if (moewb::fileExists(project.profilePath())) {
        feedback.setProgress(0.2, "loading the profile");
        guarded(project.profilePath(), [&] {
            loaded.profile =
                std::make_shared<moewb::ProfileResult>(moewb::loadProfile(project.profilePath()));
        });
    }
    for (const auto& name : project.partitionNames()) {
        feedback.throwIfCancelled();
        guarded(project.partitionPath(name), [&] {
            PartitionEntry entry;
            entry.name = QString::fromStdString(name);
            auto set = std::make_shared<moewb::PartitionSet>(
                moewb::loadPartitionSet(project.partitionPath(name)));
            entry.experts = moewb::buildExperts(*loaded.model.model, *set);
            entry.set = set;
            loaded.partitions << entry;
        });
    }
    // A router over a partition re-run since is marked stale instead of being loaded: it would
    // pick experts that no longer exist (or no longer hold the neurons it learned).
    loaded.stale = StaleArtifacts::from(moewb::findStaleArtifacts(project));
    // Routers of a fine-tuned model run that model's experts; each model is loaded once.
    FinetuneSession::TunedCache tuned;
    for (const auto& name : project.routerNames()) {
        feedback.throwIfCancelled();
        if (loaded.stale.routers.contains(QString::fromStdString(name))) {
            continue;
        }
        guarded(project.routerPath(name), [&] {
            loaded.routers << FinetuneSession::loadRouter(project, name, loaded.partitions, &tuned);
        });
    }
    for (const auto& name : project.modelNames()) {
        loaded.tunedModels << QString::fromStdString(name);
    }
    const QString sweeps = QString::fromStdString(project.folder() + "/sweeps");
    for (const QString& stem : jsonStems(sweeps)) {
        const std::string path = QDir(sweeps).filePath(stem + ".json").toStdString();
        guarded(path, [&] {
            const auto document = nlohmann::json::parse(moewb::readFileBytes(path));
            if (document.contains("cells")) {
                ComparisonEntry entry{stem, std::make_shared<moewb::ComparisonTable>(
                                                moewb::ComparisonTable::fromJson(document))};
                loaded.comparisons << entry;
            } else {
                SweepEntry entry{stem, std::make_shared<moewb::SweepResult>(
                                           moewb::SweepResult::fromJson(document))};
                loaded.sweeps << entry;
            }
        });
    }
    return loaded;
}

}  // namespace moewb::gui
