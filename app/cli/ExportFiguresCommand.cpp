// moewb export-figures: the figures need Qt's painters, which the Qt-free CLI does not link, so
// the command runs the GUI binary headless (offscreen platform) in its batch export mode.
#include "CliSupport.h"
#include "Commands.h"

#include "moewb/project/Project.h"
#include "moewb/util/Paths.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <iostream>

extern char** environ;

namespace moewb::cli {

int runExportFiguresCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {}, {"help"});
    if (args.has("help")) {
        std::cout << "usage: moewb export-figures PROJECT DIR\n"
                     "Writes every figure of the project's views (sparsity, co-activation,\n"
                     "expert graph, gate accuracy, sweeps, translator, pipeline) into DIR as\n"
                     "PNG (300 DPI), PDF and SVG, in the poster theme. Runs the moe-workbench\n"
                     "GUI offscreen; no display is needed. Steps are not run: what the project\n"
                     "lacks is drawn as an empty view.\n";
        return 0;
    }
    requirePositional(args, "export-figures", {"PROJECT", "DIR"});
    Project::open(args.positional()[0]);  // a clear error for a folder that is no project
    const std::string gui = executableDirectory() + "/moe-workbench";
    if (!fileExists(gui)) {
        throw std::runtime_error(gui +
                                 " not found: export-figures needs the GUI (build with "
                                 "-DMOEWB_BUILD_GUI=ON or install the moe-workbench package)");
    }
    setenv("QT_QPA_PLATFORM", "offscreen", 1);
    std::vector<std::string> call = {gui, "--project", args.positional()[0], "--export-figures",
                                     args.positional()[1]};
    std::vector<char*> raw;
    for (auto& item : call) {
        raw.push_back(item.data());
    }
    raw.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, gui.c_str(), nullptr, nullptr, raw.data(), environ) != 0) {
        throw std::runtime_error("could not start " + gui);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace moewb::cli
