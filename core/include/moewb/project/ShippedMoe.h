#pragma once
// The fine-tuned MoE shipped beside the default model (resources/models/default-moe/, see its
// README): the fine-tuned model (float16), its partition and its learned router. Projects on the
// default model get it as ready-made artifacts named "default-moe", and `moewb translate --moe`
// runs it without a project.

#include <optional>
#include <string>

namespace moewb {

class Project;

struct ShippedMoe {
    std::string folder;     // resources/models/default-moe
    std::string model;      // model.moewb: the fine-tuned default model
    std::string partition;  // partition.json: the experts of every FFN layer
    std::string router;     // router.json: routers trained on the fine-tuned model
    int defaultK = 4;       // K it was tuned for (4; resources/models/default-moe/README.md)
};

// The name the shipped MoE's artifacts take in a project (partition, model and router).
inline constexpr const char* kShippedMoeName = "default-moe";

// The shipped MoE when the installation has it (all three files), else nothing.
std::optional<ShippedMoe> findShippedMoe();

// Copies the shipped MoE into a project that runs the shipped default model and lacks it:
// partitions/default-moe.json, models/default-moe.moewb, routers/default-moe.json. Returns true
// when it added them. Every copy is atomic; an existing artifact of that name is never replaced.
bool addShippedMoe(const Project& project);

}  // namespace moewb
