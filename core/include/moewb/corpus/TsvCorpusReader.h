#pragma once
// Tab-separated parallel text: one pair per line, "German<TAB>English", plain or .gz.

#include "moewb/corpus/ParallelCorpus.h"

#include <string>

namespace moewb {

class Feedback;

// Reads a TSV corpus. Surrounding spaces are trimmed; blank lines and lines with an empty side
// are skipped and counted in stats->skippedEmpty. Throws CorpusError when the file is missing, a
// line is invalid (invalid UTF-8, over-long), a non-blank line does not have exactly one tab
// (file:line in the message) or no pair remains.
ParallelCorpus readTsvCorpus(const std::string& path, Feedback& feedback,
                             CorpusReadStats* stats = nullptr);

}  // namespace moewb
