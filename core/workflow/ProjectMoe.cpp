#include "moewb/workflow/ProjectMoe.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/project/ArtifactFiles.h"
#include "moewb/project/Project.h"

#include <stdexcept>

namespace moewb {

ProjectMoe loadMoeFiles(const std::string& partitionPath, const std::string& routerPath,
                        std::shared_ptr<NmtModel> model) {
    if (!model) {
        throw std::invalid_argument("loadMoeFiles: no model to cut the experts from");
    }
    const auto header = readRouterHeader(routerPath);
    const auto partition = loadPartitionSet(partitionPath);
    // The router must have been trained on this very partition (RouterSet.h): a router of 16
    // experts over a partition re-run with 8 would pick experts that do not exist.
    if (const auto why = routerPartitionMismatch(routerPath, header, partitionPath, partition);
        !why.empty()) {
        throw std::runtime_error(why);
    }
    ProjectMoe moe;
    moe.partitionName = header.partition;
    moe.routerPath = routerPath;
    moe.partitionPath = partitionPath;
    moe.model = std::move(model);
    moe.experts = buildExperts(*moe.model, partition);
    moe.routers = std::make_shared<const RouterSet>(loadRouterSet(routerPath, moe.experts));
    return moe;
}

ProjectMoe loadProjectMoe(const Project& project, const std::string& routerName,
                          std::shared_ptr<NmtModel> dense) {
    const std::string routerPath = project.routerPath(routerName);
    const auto header = readRouterHeader(routerPath);
    // A router trained on a fine-tuned model runs with that model (docs/moe-quality.md,
    // "Fine-tuning with distillation"); its experts are cut from those weights.
    std::shared_ptr<NmtModel> model = std::move(dense);
    const std::string tunedPath = header.model.empty() ? "" : project.modelFilePath(header.model);
    if (!tunedPath.empty()) {
        model = NmtModel::load(tunedPath);
    }
    ProjectMoe moe = loadMoeFiles(project.partitionPath(header.partition), routerPath, model);
    moe.routerName = routerName;
    moe.fineTuned = !tunedPath.empty();
    moe.modelPath = tunedPath;
    return moe;
}

}  // namespace moewb
