#pragma once
// Moses-style parallel text: two files with one sentence per line, line n of the source file
// translating line n of the target file (e.g. train.de + train.en), plain or .gz.

#include "moewb/corpus/ParallelCorpus.h"

#include <string>

namespace moewb {

class Feedback;

// What readMosesCorpus does with a line pair that has an empty (or blank) side: skip it (training
// data) or keep it, so that pair n is line n of both files (test sets, whose hypotheses must stay
// line-aligned with the input).
enum class EmptySides { Skip, Keep };

// Reads a line-aligned pair of files. Surrounding spaces are trimmed; a line pair with an empty
// (or blank) side is skipped or kept (`emptySides`) and counted in stats->skippedEmpty either
// way. Throws CorpusError when a file is missing, a line is invalid (invalid UTF-8, over-long),
// the files have different numbers of lines (the message names both files and both counts) or
// no pair remains (no line at all, with EmptySides::Keep).
ParallelCorpus readMosesCorpus(const std::string& sourcePath, const std::string& targetPath,
                               Feedback& feedback, CorpusReadStats* stats = nullptr,
                               EmptySides emptySides = EmptySides::Skip);

// Writes prefix + ".de" and prefix + ".en", one sentence per line, each atomically (see
// AtomicFile.h). Throws std::invalid_argument when a sentence contains a line break and
// std::runtime_error naming the file when it cannot be written.
void writeMosesCorpus(const ParallelCorpus& corpus, const std::string& prefix);

}  // namespace moewb
