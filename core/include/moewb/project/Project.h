#pragma once
// A workbench project on disk (docs/architecture.md, "The project folder"): a folder with
// project.json (format version, model, options of each step) and the artifacts of each step:
// profile/, partitions/, routers/, sweeps/, models/, finetune/, figures/. Every write is atomic; a
// newer format version is refused.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace moewb {

class Project {
public:
    static constexpr int kFormatVersion = 1;

    // Creates the folder (and its sub-folders) with a new project.json; refuses to overwrite one.
    // `modelPath` empty means the shipped default model.
    static Project create(const std::string& folder, const std::string& modelPath = {});
    // Opens an existing project. Throws std::runtime_error naming the file on any problem.
    static Project open(const std::string& folder);
    // Opens the project when project.json exists, otherwise creates it. A project on the shipped
    // default model also gets the shipped fine-tuned MoE (ShippedMoe.h) when it lacks it.
    static Project openOrCreate(const std::string& folder, const std::string& modelPath = {});

    void save() const;

    const std::string& folder() const { return m_folder; }
    // The model file (absolute), resolving "" to the shipped default model.
    std::string modelPath() const;
    void setModelPath(const std::string& path);

    // Options last used for a step ("profile", "partition", …), kept for re-runs and the GUI.
    nlohmann::json& stepOptions(const std::string& step);

    std::string profilePath() const { return m_folder + "/profile/profile.bin"; }
    std::string partitionPath(const std::string& name) const;
    std::string routerPath(const std::string& name) const;
    // A model made in the project (MoE fine-tuning): models/NAME.moewb, and its checkpoints.
    std::string modelFilePath(const std::string& name) const;
    std::string finetuneCheckpointDir(const std::string& name) const;
    std::vector<std::string> modelNames() const;
    std::string sweepPath(const std::string& name, const std::string& extension) const;
    // Names of the saved partitions / routers (file names without extension), sorted.
    std::vector<std::string> partitionNames() const;
    std::vector<std::string> routerNames() const;
    // Names of the saved sweeps and comparison tables (sweeps/NAME.json), sorted.
    std::vector<std::string> sweepNames() const;

private:
    explicit Project(std::string folder) : m_folder(std::move(folder)) {}
    std::string m_folder;
    nlohmann::json m_document = nlohmann::json::object();
};

// Throws std::invalid_argument unless `name` is usable as an artifact file name.
void validateArtifactName(const std::string& name);

}  // namespace moewb
