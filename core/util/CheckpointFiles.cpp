#include "moewb/util/CheckpointFiles.h"

#include "moewb/util/Paths.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace moewb {

namespace {

void renameOver(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) {
        throw std::runtime_error("cannot replace '" + to + "' by '" + from +
                                 "': " + std::strerror(errno));
    }
}

// The renames are durable only once the folder is synced (a killed process needs no sync; a
// power cut does).
void syncDirectory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

std::string pendingCheckpointPath(const std::string& path) {
    return path + ".next";
}

void commitCheckpoint(const std::string& dir, const std::string& stateFile,
                      const std::vector<std::string>& files) {
    for (const auto& file : files) {
        const std::string path = dir + "/" + file;
        if (fileExists(pendingCheckpointPath(path))) {
            renameOver(pendingCheckpointPath(path), path);
        }
    }
    // The state last: until it is renamed, a restart finishes this commit.
    const std::string state = dir + "/" + stateFile;
    renameOver(pendingCheckpointPath(state), state);
    syncDirectory(dir);
}

bool recoverCheckpoint(const std::string& dir, const std::string& stateFile,
                       const std::vector<std::string>& files) {
    if (fileExists(pendingCheckpointPath(dir + "/" + stateFile))) {
        commitCheckpoint(dir, stateFile, files);
        return true;
    }
    for (const auto& file : files) {
        std::remove(pendingCheckpointPath(dir + "/" + file).c_str());
    }
    return false;
}

}  // namespace moewb
