#pragma once
// Where a corpus comes from: the one description the CLI, the GUI and training pass around, and
// loadCorpus(), which dispatches to the right reader.

#include "moewb/corpus/DingDictionaryReader.h"
#include "moewb/corpus/ParallelCorpus.h"

#include <string>

namespace moewb {

class Feedback;

struct CorpusSource {
    enum class Kind { Ding, Moses, Tsv };

    Kind kind = Kind::Ding;                 // which reader; default the Ding dictionary
    std::string path = DingOptions{}.path;  // Ding or TSV file; default /usr/share/trans/de-en
    std::string sourcePath;                 // Moses: the German file (e.g. train.de); default none
    std::string targetPath;                 // Moses: the English file (e.g. train.en); default none
    DingMode dingMode = DingMode::Sentences;  // Ding: which pairs; default sentences

    // E.g. "ding:/usr/share/trans/de-en (sentences)", "moses:a.de+a.en", "tsv:pairs.tsv".
    std::string describe() const;
};

// "ding", "moses", "tsv".
const char* corpusKindName(CorpusSource::Kind kind);
// Parses a corpusKindName(); throws std::invalid_argument naming the valid choices otherwise.
CorpusSource::Kind parseCorpusKind(const std::string& name);

// Reads the corpus `source` describes (see the readers for the errors they throw).
ParallelCorpus loadCorpus(const CorpusSource& source, Feedback& feedback,
                          CorpusReadStats* stats = nullptr);

}  // namespace moewb
