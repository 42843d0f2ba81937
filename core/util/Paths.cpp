#include "moewb/util/Paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace moewb {

std::string executableDirectory() {
    std::vector<char> buffer(4096);
    const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (n <= 0) {
        return ".";
    }
    std::string path(buffer.data(), static_cast<std::size_t>(n));
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool fileExists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

std::vector<std::string> resourceSearchPath() {
    std::vector<std::string> folders;
    if (const char* env = std::getenv("MOEWB_RESOURCE_DIR"); env && *env) {
        folders.emplace_back(env);
    }
    folders.push_back(executableDirectory() + "/../share/moe-workbench");
#ifdef MOEWB_SOURCE_DIR
    folders.push_back(std::string(MOEWB_SOURCE_DIR) + "/resources");
#endif
    return folders;
}

std::string findResource(const std::string& relativePath) {
    for (const auto& folder : resourceSearchPath()) {
        const std::string candidate = folder + "/" + relativePath;
        if (fileExists(candidate)) {
            return candidate;
        }
    }
    return {};
}

}  // namespace moewb
