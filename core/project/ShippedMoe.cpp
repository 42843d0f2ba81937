#include "moewb/project/ShippedMoe.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"

namespace moewb {

std::optional<ShippedMoe> findShippedMoe() {
    std::string defaultModel;
    try {
        defaultModel = NmtModel::defaultModelPath();
    } catch (const std::exception&) {
        return std::nullopt;
    }
    ShippedMoe moe;
    moe.folder = defaultModel.substr(0, defaultModel.find_last_of('/')) + "/default-moe";
    moe.model = moe.folder + "/model.moewb";
    moe.partition = moe.folder + "/partition.json";
    moe.router = moe.folder + "/router.json";
    if (!fileExists(moe.model) || !fileExists(moe.partition) || !fileExists(moe.router)) {
        return std::nullopt;
    }
    return moe;
}

bool addShippedMoe(const Project& project) {
    const auto moe = findShippedMoe();
    if (!moe) {
        return false;
    }
    try {
        if (project.modelPath() != NmtModel::defaultModelPath()) {
            return false;  // its experts and router belong to the default model only
        }
    } catch (const std::exception&) {
        return false;
    }
    const std::string partition = project.partitionPath(kShippedMoeName);
    const std::string model = project.modelFilePath(kShippedMoeName);
    const std::string router = project.routerPath(kShippedMoeName);
    if (fileExists(router)) {
        return false;
    }
    // Model and partition first: a router without them would not load.
    if (!fileExists(model)) {
        writeFileAtomic(model, readFileBytes(moe->model));
    }
    if (!fileExists(partition)) {
        writeFileAtomic(partition, readFileBytes(moe->partition));
    }
    writeFileAtomic(router, readFileBytes(moe->router));
    return true;
}

}  // namespace moewb
