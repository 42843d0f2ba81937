#pragma once
// Where the running program finds its own files, in the build tree and when installed.

#include <string>
#include <vector>

namespace moewb {

// Folder of the running executable (from /proc/self/exe).
std::string executableDirectory();

// Locates a read-only resource shipped with the workbench (e.g. "models/default.moewb",
// "demo/demo.tsv"): $MOEWB_RESOURCE_DIR, then <exe>/../share/moe-workbench, then the source
// tree's resources/ (build tree). Returns an empty string when it is nowhere.
std::string findResource(const std::string& relativePath);

// The folders findResource() searches, in order (for error messages).
std::vector<std::string> resourceSearchPath();

bool fileExists(const std::string& path);

}  // namespace moewb
