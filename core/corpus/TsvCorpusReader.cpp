#include "moewb/corpus/TsvCorpusReader.h"

#include "corpus/CorpusText.h"
#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/TextLineReader.h"
#include "moewb/util/Feedback.h"

#include <algorithm>

namespace moewb {

using corpus_detail::trimSpaces;

ParallelCorpus readTsvCorpus(const std::string& path, Feedback& feedback, CorpusReadStats* stats) {
    const std::string message = "Reading " + path;
    feedback.throwIfCancelled();
    feedback.setProgress(0.0, message);
    TextLineReader reader(path);
    CorpusReadStats counts;
    ParallelCorpus corpus;
    corpus.description = "tsv:" + path;
    std::string line;
    while (reader.readLine(line)) {
        if ((++counts.linesRead & 1023) == 0) {
            feedback.throwIfCancelled();
            feedback.setProgress(reader.progress(), message);
        }
        if (trimSpaces(line).empty()) {
            ++counts.skippedEmpty;
            continue;
        }
        const auto tabs = std::count(line.begin(), line.end(), '\t');
        if (tabs != 1) {
            throw CorpusError(path, reader.lineNumber(),
                              "expected exactly one tab between German and English, found " +
                                  std::to_string(tabs) +
                                  " (write each pair as 'German<TAB>English' on one line)");
        }
        const std::size_t tab = line.find('\t');
        const std::string_view s = trimSpaces(std::string_view(line).substr(0, tab));
        const std::string_view t = trimSpaces(std::string_view(line).substr(tab + 1));
        if (s.empty() || t.empty()) {
            ++counts.skippedEmpty;
            continue;
        }
        corpus.pairs.push_back({std::string(s), std::string(t)});
    }
    if (stats != nullptr) {
        *stats = counts;
    }
    if (corpus.pairs.empty()) {
        throw CorpusError(path, 0,
                          "no sentence pairs found (the file is empty or has no line of the "
                          "form 'German<TAB>English')");
    }
    feedback.setProgress(1.0, message);
    return corpus;
}

}  // namespace moewb
