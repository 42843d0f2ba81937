#include "moewb/corpus/CorpusError.h"

namespace moewb {

namespace {

std::string formatMessage(const std::string& file, std::size_t line, const std::string& problem) {
    std::string message = file;
    if (line > 0) {
        message += ":" + std::to_string(line);
    }
    return message + ": " + problem;
}

}  // namespace

CorpusError::CorpusError(std::string file, std::size_t line, const std::string& problem)
    : std::runtime_error(formatMessage(file, line, problem)),
      m_file(std::move(file)),
      m_line(line),
      m_problem(problem) {}

}  // namespace moewb
