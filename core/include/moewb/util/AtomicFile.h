#pragma once
// Atomic file writes: the data goes to a temporary file in the target's folder, is flushed to
// disk, and only then renamed over the target. A crash or an error never leaves a half-written
// file behind, and the previous version stays intact until the new one is complete.

#include <cstdio>
#include <string>
#include <string_view>

namespace moewb {

// Writes `bytes` to `path` atomically. Throws std::runtime_error naming the file on failure.
void writeFileAtomic(const std::string& path, std::string_view bytes);

// Reads a whole file. Throws std::runtime_error naming the file when it cannot be read.
std::string readFileBytes(const std::string& path);

// Streams into a temporary file; commit() renames it over the target. Destroying an uncommitted
// writer removes the temporary file and leaves the target untouched.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* data, std::size_t size);
    void write(std::string_view bytes) { write(bytes.data(), bytes.size()); }
    void commit();
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::string m_tempPath;
    int m_fd = -1;
    bool m_committed = false;
};

}  // namespace moewb
