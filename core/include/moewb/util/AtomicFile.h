#pragma once
// Safe file writes. A regular file (or a new one) is written atomically: the data goes to a
// temporary file ".NAME.tmp-XXXXXX" in the target's folder, is flushed to disk, and only then
// renamed over the target, which keeps its permission mode. A crash or an error never leaves a
// half-written file, and the previous version stays intact until the new one is complete.
// A symlink stays a link: its target is written (atomically, in the target's folder). Anything
// that is not a regular file (FIFO, device, /dev/stdout) is written in place, without a rename.

#include <cstdio>
#include <string>
#include <string_view>

namespace moewb {

// Writes `bytes` to `path` as above. Throws std::runtime_error naming the file on failure.
void writeFileAtomic(const std::string& path, std::string_view bytes);

// Reads a whole file. Throws std::runtime_error naming the file when it cannot be read.
std::string readFileBytes(const std::string& path);

// Removes temporary files of `path` (".NAME.tmp-XXXXXX" next to it) last modified before this
// process started, i.e. left by a killed run; ours stay. Returns how many were removed. Called
// by every write of `path`; errors are ignored (a leftover is only wasted space).
int removeLeftoverTempFiles(const std::string& path);

// Streams into a temporary file; commit() renames it over the target. Destroying an uncommitted
// writer removes the temporary file and leaves the target untouched (except when writing in
// place, where what was written stays written). Opening a FIFO waits for its reader.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* data, std::size_t size);
    void write(std::string_view bytes) { write(bytes.data(), bytes.size()); }
    // Flushes the data to disk and closes the file; commit() then only renames. Called by
    // commit() when not called before.
    void flush();
    void commit();
    const std::string& path() const { return m_path; }

private:
    friend void commitTogether(AtomicFileWriter& first, AtomicFileWriter& second);
    void openInPlace();
    void openTemporary();

    std::string m_path;      // as given
    std::string m_target;    // the file replaced: m_path with symlinks followed
    std::string m_tempPath;  // empty when writing in place
    int m_fd = -1;
    bool m_flushed = false;
    bool m_committed = false;
};

// Commits two files as one (a Moses corpus's .de and .en): both are flushed before either is
// renamed, and when the second rename fails the first file gets its previous version back (or
// is removed when it is new), so a failed save never leaves a new .de beside an old .en.
// Throws std::runtime_error naming the file that failed.
void commitTogether(AtomicFileWriter& first, AtomicFileWriter& second);

}  // namespace moewb
