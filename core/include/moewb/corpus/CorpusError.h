#pragma once
// The one exception type of the corpus readers: it names the file and, when the problem is in one
// line, the 1-based line number, and what() reads "FILE:LINE: what is wrong (what to do)"
// ("FILE: what is wrong (what to do)" when the problem is not in one line).

#include <cstddef>
#include <stdexcept>
#include <string>

namespace moewb {

class CorpusError : public std::runtime_error {
public:
    // `problem` says what is wrong and, in parentheses, what to do about it.
    CorpusError(std::string file, std::size_t line, const std::string& problem);

    const std::string& file() const { return m_file; }
    std::size_t line() const { return m_line; }  // 1-based; 0 when not line-specific
    const std::string& problem() const { return m_problem; }

private:
    std::string m_file;
    std::size_t m_line;
    std::string m_problem;
};

}  // namespace moewb
