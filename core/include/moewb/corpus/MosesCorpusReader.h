#pragma once
// Moses-style parallel text: two files with one sentence per line, line n of the source file
// translating line n of the target file (e.g. train.de + train.en), plain or .gz.

#include "moewb/corpus/ParallelCorpus.h"

#include <string>

namespace moewb {

class Feedback;

// Reads a line-aligned pair of files. Surrounding spaces are trimmed; a line pair with an empty
// (or blank) side is skipped and counted in stats->skippedEmpty. Throws CorpusError when a file
// is missing, a line is invalid (invalid UTF-8, over-long), the files have different numbers of
// lines (the message names both files and both counts) or no pair remains.
ParallelCorpus readMosesCorpus(const std::string& sourcePath, const std::string& targetPath,
                               Feedback& feedback, CorpusReadStats* stats = nullptr);

// Writes prefix + ".de" and prefix + ".en", one sentence per line, each atomically (see
// AtomicFile.h). Throws std::invalid_argument when a sentence contains a line break and
// std::runtime_error naming the file when it cannot be written.
void writeMosesCorpus(const ParallelCorpus& corpus, const std::string& prefix);

}  // namespace moewb
