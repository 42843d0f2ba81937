#include "moewb/util/AtomicFile.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace moewb {
namespace {

std::string errnoText(int error = errno) {
    std::string text = std::strerror(error);
    if (error == ENOSPC || error == EDQUOT) {
        text += "; free some disk space or write elsewhere";
    }
    return text;
}

std::string directoryOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseNameOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string tempPrefixOf(const std::string& path) {
    return "." + baseNameOf(path) + ".tmp-";
}

constexpr std::size_t kTempSuffixLength = 6;

// When the process started, near enough: static initialisation runs before main(). The coarse
// clock is the one file timestamps come from, so a file we write is never older than this.
const timespec kProcessStart = [] {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    return now;
}();

bool before(const timespec& a, const timespec& b) {
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

struct Destination {
    std::string path;      // symlinks followed
    bool inPlace = false;  // not a regular file: write it, never replace it
};

// Whether `path` lies in /proc: /dev/stdout and /dev/fd/N lead to /proc/self/fd/N, links that
// name an open file rather than a path.
bool inProc(const std::string& path) {
    char* folder = ::realpath(directoryOf(path).c_str(), nullptr);
    const bool result = folder && std::strncmp(folder, "/proc/", 6) == 0;
    std::free(folder);
    return result;
}

// Where to write `path`. stat() follows every link, so it tells what the data finally reaches:
// anything but a regular file is written in place, and so is an open file reached through
// /proc. Otherwise symlinks are followed by hand (realpath() needs the target to exist; a
// dangling link gets its target created, as a shell's '>' does).
Destination destinationOf(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        if (S_ISDIR(info.st_mode)) {
            throw std::runtime_error("cannot write '" + path +
                                     "': it is a folder; give a file name");
        }
        if (!S_ISREG(info.st_mode)) {
            return {path, true};
        }
    }
    std::string current = path;
    for (int hops = 0; hops < 40; ++hops) {
        if (inProc(current)) {
            return {path, true};
        }
        if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) {
            return {current, false};
        }
        std::vector<char> buffer(4096);
        const ssize_t n = ::readlink(current.c_str(), buffer.data(), buffer.size() - 1);
        if (n <= 0) {
            return {current, false};
        }
        const std::string link(buffer.data(), static_cast<std::size_t>(n));
        current = link[0] == '/' ? link : directoryOf(current) + "/" + link;
    }
    throw std::runtime_error("cannot write '" + path + "': too many levels of symbolic links");
}

// The rename is durable only once the folder is synced.
void syncFolderOf(const std::string& path) {
    const int dir = ::open(directoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace

int removeLeftoverTempFiles(const std::string& path) {
    const std::string folder = directoryOf(path);
    const std::string prefix = tempPrefixOf(path);
    DIR* dir = ::opendir(folder.c_str());
    if (!dir) {
        return 0;
    }
    int removed = 0;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.size() != prefix.size() + kTempSuffixLength || name.rfind(prefix, 0) != 0) {
            continue;
        }
        const std::string file = folder + "/" + name;
        struct stat info {};
        if (::lstat(file.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
            before(info.st_mtim, kProcessStart) && ::unlink(file.c_str()) == 0) {
            ++removed;
        }
    }
    ::closedir(dir);
    return removed;
}

AtomicFileWriter::AtomicFileWriter(std::string path) : m_path(std::move(path)) {
    if (m_path.empty()) {
        throw std::runtime_error("cannot write a file without a name; give a file name");
    }
    const Destination destination = destinationOf(m_path);
    m_target = destination.path;
    if (destination.inPlace) {
        openInPlace();
    } else {
        openTemporary();
    }
}

void AtomicFileWriter::openInPlace() {
    // O_APPEND: behind /dev/stdout may be a file the shell opened with '>>', or output already
    // written to stdout; either way ours belongs after it.
    do {
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    } while (m_fd < 0 && errno == EINTR);
    if (m_fd < 0) {
        throw std::runtime_error("cannot write '" + m_path + "': " + errnoText());
    }
}

void AtomicFileWriter::openTemporary() {
    removeLeftoverTempFiles(m_target);
    struct stat existing {};
    const bool exists = ::stat(m_target.c_str(), &existing) == 0;
    const std::string stem = directoryOf(m_target) + "/" + tempPrefixOf(m_target);
    static constexpr char kAlphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::random_device seed;
    std::mt19937 random(seed());
    std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
    for (int attempt = 0; attempt < 100 && m_fd < 0; ++attempt) {
        std::string candidate = stem;
        for (std::size_t i = 0; i < kTempSuffixLength; ++i) {
            candidate += kAlphabet[pick(random)];
        }
        // 0666 lets the umask decide for a new file, as any other program's output.
        m_fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (m_fd >= 0) {
            m_tempPath = candidate;
        } else if (errno != EEXIST) {
            throw std::runtime_error("cannot write '" + m_path + "': " + errnoText() +
                                     " (check that the folder exists and is writable)");
        }
    }
    if (m_fd < 0) {
        throw std::runtime_error("cannot write '" + m_path +
                                 "': no free temporary file name in its folder");
    }
    if (exists) {
        // The replacement keeps the file's owner (when we may set it) and mode.
        if (::fchown(m_fd, existing.st_uid, existing.st_gid) != 0) {
            // Not root: the file stays ours, as it would with any editor.
        }
        ::fchmod(m_fd, existing.st_mode & 07777);
    }
}

AtomicFileWriter::~AtomicFileWriter() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
    if (!m_committed && !m_tempPath.empty()) {
        ::unlink(m_tempPath.c_str());
    }
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
    if (m_fd < 0 || m_flushed) {
        throw std::logic_error("AtomicFileWriter::write after commit of '" + m_path + "'");
    }
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(m_fd, p, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error("cannot write '" + m_path + "': " + errnoText());
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void AtomicFileWriter::flush() {
    if (m_flushed) {
        return;
    }
    if (m_fd < 0) {
        throw std::logic_error("AtomicFileWriter::flush after commit of '" + m_path + "'");
    }
    // Pipes, terminals and character devices cannot be synced (EINVAL); that is no error.
    if (::fsync(m_fd) != 0 && !(m_tempPath.empty() && (errno == EINVAL || errno == EROFS))) {
        throw std::runtime_error("cannot flush '" + m_path + "': " + errnoText());
    }
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0 && errno != EINTR) {
        throw std::runtime_error("cannot write '" + m_path + "': " + errnoText());
    }
    m_flushed = true;
}

void AtomicFileWriter::commit() {
    if (m_committed) {
        throw std::logic_error("AtomicFileWriter::commit twice for '" + m_path + "'");
    }
    flush();
    if (m_tempPath.empty()) {
        m_committed = true;
        return;
    }
    if (::rename(m_tempPath.c_str(), m_target.c_str()) != 0) {
        throw std::runtime_error("cannot replace '" + m_path + "': " + errnoText());
    }
    m_committed = true;
    syncFolderOf(m_target);
}

void commitTogether(AtomicFileWriter& first, AtomicFileWriter& second) {
    first.flush();
    second.flush();
    // The first target's previous version, kept under a temporary name (removed as a leftover
    // if we are killed) until the second rename has succeeded.
    std::string backup;
    if (!first.m_tempPath.empty()) {
        struct stat info {};
        if (::stat(first.m_target.c_str(), &info) == 0) {
            backup = first.m_tempPath;
            backup.back() = backup.back() == 'z' ? 'y' : 'z';
            if (::link(first.m_target.c_str(), backup.c_str()) != 0) {
                backup.clear();
                throw std::runtime_error("cannot replace '" + first.m_path +
                                         "': cannot keep its previous version: " + errnoText());
            }
        }
    }
    first.commit();
    try {
        second.commit();
    } catch (...) {
        if (!first.m_tempPath.empty()) {
            if (backup.empty()) {
                ::unlink(first.m_target.c_str());
            } else {
                ::rename(backup.c_str(), first.m_target.c_str());
            }
            syncFolderOf(first.m_target);
        }
        throw;
    }
    if (!backup.empty()) {
        ::unlink(backup.c_str());
    }
}

void writeFileAtomic(const std::string& path, std::string_view bytes) {
    AtomicFileWriter writer(path);
    writer.write(bytes);
    writer.commit();
}

std::string readFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open '" + path + "': " + errnoText());
    }
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad()) {
        throw std::runtime_error("cannot read '" + path + "': " + errnoText());
    }
    return out.str();
}

}  // namespace moewb
