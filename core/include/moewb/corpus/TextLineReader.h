#pragma once
// Reads a UTF-8 text file line by line, plain or gzip-compressed (detected from the content, so
// ".gz" files and plain files go through the same reader). Every line is validated: invalid UTF-8
// and lines over kMaxLineBytes are CorpusErrors naming the file and the 1-based line.
// The "\n" and a trailing "\r" are stripped; a UTF-8 byte order mark at the start is dropped.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct gzFile_s;  // zlib's file handle (gzFile is gzFile_s*)

namespace moewb {

class TextLineReader {
public:
    // The longest line accepted, in bytes, without the line ending.
    static constexpr std::size_t kMaxLineBytes = 10000;

    // Opens `path`. Throws CorpusError when it is missing, a directory or unreadable.
    explicit TextLineReader(std::string path);
    ~TextLineReader();
    TextLineReader(const TextLineReader&) = delete;
    TextLineReader& operator=(const TextLineReader&) = delete;

    // Reads the next line into `line`. Returns false at the end of the file. Throws CorpusError on
    // an invalid line (invalid UTF-8, too long) or a read error (e.g. a truncated .gz file).
    bool readLine(std::string& line);

    // The 1-based number of the line readLine() returned last (0 before the first).
    std::size_t lineNumber() const { return m_lineNumber; }

    // The fraction of the file (compressed bytes for .gz) consumed so far, in [0, 1].
    double progress() const;

    const std::string& path() const { return m_path; }

private:
    bool fill();

    std::string m_path;
    gzFile_s* m_file = nullptr;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0;  // unread data is m_buffer[m_begin, m_end)
    std::size_t m_end = 0;
    bool m_eof = false;
    std::size_t m_lineNumber = 0;
    std::uint64_t m_fileSize = 0;
};

}  // namespace moewb
