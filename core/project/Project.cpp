#include "moewb/project/Project.h"

#include "moewb/project/ShippedMoe.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace moewb {
namespace {

const char* kFormat = "moewb-project";

// Creates the folder and any missing parents (the default project lives in a data folder that a
// fresh account does not have yet).
void makeFolder(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
        struct stat info;
        const std::string parent = path.substr(0, slash);
        if (::stat(parent.c_str(), &info) != 0) {
            makeFolder(parent);
        }
    }
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        throw std::runtime_error("cannot create folder '" + path + "': " + std::strerror(errno));
    }
}

std::vector<std::string> namesIn(const std::string& folder, const std::string& extension) {
    std::vector<std::string> names;
    if (DIR* dir = ::opendir(folder.c_str())) {
        while (const dirent* entry = ::readdir(dir)) {
            const std::string file = entry->d_name;
            if (file.size() > extension.size() && file[0] != '.' &&
                file.compare(file.size() - extension.size(), extension.size(), extension) == 0) {
                names.push_back(file.substr(0, file.size() - extension.size()));
            }
        }
        ::closedir(dir);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string absolute(const std::string& path) {
    if (path.empty() || path[0] == '/') {
        return path;
    }
    char buffer[4096];
    return ::getcwd(buffer, sizeof buffer) ? std::string(buffer) + "/" + path : path;
}

}  // namespace

void validateArtifactName(const std::string& name) {
    const bool ok =
        !name.empty() && name.size() <= 100 && name[0] != '.' &&
        std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (!ok) {
        throw std::invalid_argument("'" + name +
                                    "' is not a valid name: use letters, digits, '-', '_' or '.'");
    }
}

Project Project::create(const std::string& folder, const std::string& modelPath) {
    if (fileExists(folder + "/project.json")) {
        throw std::runtime_error(folder + "/project.json already exists; open it instead");
    }
    makeFolder(folder);
    for (const char* sub :
         {"profile", "partitions", "routers", "sweeps", "figures", "models", "finetune"}) {
        makeFolder(folder + "/" + sub);
    }
    Project project(absolute(folder));
    project.m_document = {{"model", absolute(modelPath)}, {"steps", nlohmann::json::object()}};
    project.save();
    return project;
}

Project Project::open(const std::string& folder) {
    const std::string path = folder + "/project.json";
    if (!fileExists(path)) {
        throw std::runtime_error(folder +
                                 " is not a MoE Workbench project (no project.json); "
                                 "create one with `moewb profile FOLDER` (or `moewb demo --project "
                                 "FOLDER`), or File > New Project in the workbench");
    }
    Project project(absolute(folder));
    project.m_document = readJsonFile(path, kFormat, kFormatVersion);
    project.m_document.erase("format");
    project.m_document.erase("version");
    if (!project.m_document.contains("steps")) {
        project.m_document["steps"] = nlohmann::json::object();
    }
    // The accessors index these without further checks.
    if (!project.m_document["steps"].is_object()) {
        throw std::runtime_error(path + ": \"steps\" must be an object of step options");
    }
    if (project.m_document.contains("model") && !project.m_document["model"].is_string()) {
        throw std::runtime_error(path + ": \"model\" must be the model file's path (a string)");
    }
    for (const char* sub :
         {"profile", "partitions", "routers", "sweeps", "figures", "models", "finetune"}) {
        makeFolder(project.m_folder + "/" + sub);
    }
    return project;
}

Project Project::openOrCreate(const std::string& folder, const std::string& modelPath) {
    if (fileExists(folder + "/project.json")) {
        Project project = open(folder);
        if (!modelPath.empty()) {
            project.setModelPath(modelPath);
            project.save();
        }
        addShippedMoe(project);
        return project;
    }
    Project project = create(folder, modelPath);
    addShippedMoe(project);  // a project on the default model opens with its fine-tuned MoE
    return project;
}

void Project::save() const {
    writeJsonFile(m_folder + "/project.json", m_document, kFormat, kFormatVersion);
}

std::string Project::modelPath() const {
    const std::string path = m_document.value("model", std::string());
    return path.empty() ? NmtModel::defaultModelPath() : path;
}

void Project::setModelPath(const std::string& path) {
    m_document["model"] = absolute(path);
}

nlohmann::json& Project::stepOptions(const std::string& step) {
    return m_document["steps"][step];
}

std::string Project::partitionPath(const std::string& name) const {
    validateArtifactName(name);
    return m_folder + "/partitions/" + name + ".json";
}

std::string Project::routerPath(const std::string& name) const {
    validateArtifactName(name);
    return m_folder + "/routers/" + name + ".json";
}

std::string Project::modelFilePath(const std::string& name) const {
    validateArtifactName(name);
    return m_folder + "/models/" + name + ".moewb";
}

std::string Project::finetuneCheckpointDir(const std::string& name) const {
    validateArtifactName(name);
    return m_folder + "/finetune/" + name;
}

std::vector<std::string> Project::modelNames() const {
    return namesIn(m_folder + "/models", ".moewb");
}

std::string Project::sweepPath(const std::string& name, const std::string& extension) const {
    validateArtifactName(name);
    return m_folder + "/sweeps/" + name + "." + extension;
}

std::vector<std::string> Project::partitionNames() const {
    return namesIn(m_folder + "/partitions", ".json");
}

std::vector<std::string> Project::routerNames() const {
    return namesIn(m_folder + "/routers", ".json");
}

std::vector<std::string> Project::sweepNames() const {
    return namesIn(m_folder + "/sweeps", ".json");
}

}  // namespace moewb
