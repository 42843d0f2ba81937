#include "moewb/corpus/TextLineReader.h"

#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/Utf8.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace moewb {

namespace {

constexpr std::size_t kBufferBytes = 256 * 1024;

}  // namespace

TextLineReader::TextLineReader(std::string path) : m_path(std::move(path)) {
    std::error_code error;
    const auto status = std::filesystem::status(m_path, error);
    if (!std::filesystem::exists(status)) {
        throw CorpusError(m_path, 0, "file not found (check the path)");
    }
    if (std::filesystem::is_directory(status)) {
        throw CorpusError(m_path, 0, "is a folder, not a file (give the path of a text file)");
    }
    m_fileSize = std::filesystem::file_size(m_path, error);
    if (error) {
        m_fileSize = 0;
    }
    errno = 0;
    m_file = gzopen(m_path.c_str(), "rb");
    if (m_file == nullptr) {
        const std::string reason = errno != 0 ? std::strerror(errno) : "out of memory";
        throw CorpusError(m_path, 0,
                          "cannot open: " + reason + " (check that the file is readable)");
    }
    gzbuffer(m_file, kBufferBytes);
    m_buffer.resize(kBufferBytes);
}

TextLineReader::~TextLineReader() {
    if (m_file != nullptr) {
        gzclose(m_file);
    }
}

bool TextLineReader::fill() {
    if (m_eof) {
        return false;
    }
    const int got = gzread(m_file, m_buffer.data(), static_cast<unsigned>(m_buffer.size()));
    if (got < 0) {
        int code = 0;
        const char* message = gzerror(m_file, &code);
        throw CorpusError(m_path, 0,
                          "read error after line " + std::to_string(m_lineNumber) + ": " +
                              (code == Z_ERRNO ? std::strerror(errno) : message) +
                              " (check that the file is complete, e.g. with gzip -t)");
    }
    m_begin = 0;
    m_end = static_cast<std::size_t>(got);
    if (got == 0) {
        // A gzip stream that ends early is not a hard error for gzread(): ask gzerror().
        int code = Z_OK;
        gzerror(m_file, &code);
        if (code == Z_BUF_ERROR) {
            throw CorpusError(m_path, 0,
                              "read error after line " + std::to_string(m_lineNumber) +
                                  ": the compressed data ends early (the file is truncated; "
                                  "download or copy it again, gzip -t checks it)");
        }
        m_eof = true;
        return false;
    }
    return true;
}

bool TextLineReader::readLine(std::string& line) {
    line.clear();
    bool any = false;
    while (true) {
        if (m_begin == m_end && !fill()) {
            if (!any) {
                return false;
            }
            break;  // the last line has no "\n"
        }
        any = true;
        const char* begin = m_buffer.data() + m_begin;
        const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', m_end - m_begin));
        if (newline != nullptr) {
            line.append(begin, newline);
            m_begin += static_cast<std::size_t>(newline - begin) + 1;
            break;
        }
        line.append(begin, m_end - m_begin);
        m_begin = m_end;
        if (line.size() > kMaxLineBytes + 1) {  // +1: a "\r" that would be stripped
            break;                              // over-long: stop reading it, report below
        }
    }
    ++m_lineNumber;
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    if (m_lineNumber == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        line.erase(0, 3);
    }
    if (line.size() > kMaxLineBytes) {
        throw CorpusError(m_path, m_lineNumber,
                          "line is longer than " + std::to_string(kMaxLineBytes) +
                              " bytes (split or remove it; a corpus has one sentence per line)");
    }
    if (const std::size_t bad = findInvalidUtf8(line); bad != std::string::npos) {
        throw CorpusError(m_path, m_lineNumber,
                          "invalid UTF-8 at byte " + std::to_string(bad + 1) +
                              " of the line (convert the file to UTF-8, e.g. with "
                              "iconv -f latin1 -t utf-8)");
    }
    return true;
}

double TextLineReader::progress() const {
    if (m_fileSize == 0 || m_file == nullptr) {
        return 0.0;
    }
    if (m_eof && m_begin == m_end) {
        return 1.0;
    }
    // Plain files: the exact position of the next line; .gz: the compressed bytes consumed.
    const std::size_t buffered = m_end - m_begin;
    const double position =
        gzdirect(m_file) != 0 ? static_cast<double>(gztell(m_file)) - static_cast<double>(buffered)
                              : static_cast<double>(gzoffset(m_file));
    // Below 1 until the end: 1 means done (and always gets through Feedback's throttle).
    return std::clamp(position / static_cast<double>(m_fileSize), 0.0, 0.999);
}

}  // namespace moewb
