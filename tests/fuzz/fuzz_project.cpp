// The project reader, Project::open() on a folder holding the input as project.json, and the
// accessors the CLI and GUI call right after opening.
#include "FuzzSupport.h"

#include "moewb/project/Project.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    const std::string path = fuzz::writeScratch("project/project.json", data, size);
    const std::string folder = fuzz::scratchFolder() + "/project";
    fuzz::expectCleanErrors(folder, [&] {
        Project project = Project::open(folder);
        (void)project.stepOptions("partition");
        (void)project.partitionNames();
        (void)project.routerNames();
        (void)project.modelNames();
        // The model path is checked where the model is loaded; here it must only be a string.
        fuzz::expectCleanErrors("", [&] { (void)project.modelPath(); });
    });
    return 0;
}
