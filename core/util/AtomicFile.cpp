#include "moewb/util/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace moewb {
namespace {

std::string errnoText() {
    return std::strerror(errno);
}

std::string directoryOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : m_path(std::move(path)) {
    const auto slash = m_path.find_last_of('/');
    const std::string base = slash == std::string::npos ? m_path : m_path.substr(slash + 1);
    std::string templ = directoryOf(m_path) + "/." + base + ".tmp-XXXXXX";
    std::vector<char> buffer(templ.begin(), templ.end());
    buffer.push_back('\0');
    m_fd = ::mkstemp(buffer.data());
    if (m_fd < 0) {
        throw std::runtime_error("cannot write '" + m_path + "': " + errnoText() +
                                 " (check that the folder exists and is writable)");
    }
    m_tempPath = buffer.data();
    ::fchmod(m_fd, 0644);
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
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(m_fd, p, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error("cannot write '" + m_path + "': " + errnoText() +
                                     " (is the disk full?)");
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void AtomicFileWriter::commit() {
    if (::fsync(m_fd) != 0) {
        throw std::runtime_error("cannot flush '" + m_path + "': " + errnoText());
    }
    ::close(m_fd);
    m_fd = -1;
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0) {
        throw std::runtime_error("cannot replace '" + m_path + "': " + errnoText());
    }
    m_committed = true;
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
