#include "moewb/corpus/MosesCorpusReader.h"

#include "corpus/CorpusText.h"
#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/TextLineReader.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Feedback.h"

#include <stdexcept>

namespace moewb {

using corpus_detail::trimSpaces;

ParallelCorpus readMosesCorpus(const std::string& sourcePath, const std::string& targetPath,
                               Feedback& feedback, CorpusReadStats* stats, EmptySides emptySides) {
    const std::string message = "Reading " + sourcePath + " and " + targetPath;
    feedback.throwIfCancelled();
    feedback.setProgress(0.0, message);
    TextLineReader source(sourcePath);
    TextLineReader target(targetPath);
    CorpusReadStats counts;
    ParallelCorpus corpus;
    corpus.description = "moses:" + sourcePath + "+" + targetPath;
    std::string de;
    std::string en;
    while (true) {
        const bool haveSource = source.readLine(de);
        const bool haveTarget = target.readLine(en);
        if (!haveSource || !haveTarget) {
            if (haveSource || haveTarget) {
                TextLineReader& longer = haveSource ? source : target;
                std::string rest;
                while (longer.readLine(rest)) {
                    feedback.throwIfCancelled();
                }
                throw CorpusError(sourcePath, 0,
                                  "has " + std::to_string(source.lineNumber()) + " lines but " +
                                      targetPath + " has " + std::to_string(target.lineNumber()) +
                                      " (the two files must be line-aligned: line n of one "
                                      "translates line n of the other)");
            }
            break;
        }
        if ((++counts.linesRead & 1023) == 0) {
            feedback.throwIfCancelled();
            feedback.setProgress(source.progress(), message);
        }
        const std::string_view s = trimSpaces(de);
        const std::string_view t = trimSpaces(en);
        if (s.empty() || t.empty()) {
            ++counts.skippedEmpty;
            if (emptySides == EmptySides::Skip) {
                continue;
            }
        }
        corpus.pairs.push_back({std::string(s), std::string(t)});
    }
    if (stats != nullptr) {
        *stats = counts;
    }
    if (corpus.pairs.empty()) {
        throw CorpusError(sourcePath, 0,
                          "no sentence pairs found in it and " + targetPath +
                              " (the files are empty or every line pair has an empty side)");
    }
    feedback.setProgress(1.0, message);
    return corpus;
}

void writeMosesCorpus(const ParallelCorpus& corpus, const std::string& prefix) {
    for (const SentencePair& pair : corpus.pairs) {
        if (pair.source.find_first_of("\r\n") != std::string::npos ||
            pair.target.find_first_of("\r\n") != std::string::npos) {
            throw std::invalid_argument("writeMosesCorpus: a sentence contains a line break: " +
                                        pair.source.substr(0, 80));
        }
    }
    AtomicFileWriter source(prefix + ".de");
    AtomicFileWriter target(prefix + ".en");
    std::string buffer;
    auto writeSide = [&](AtomicFileWriter& writer, bool german) {
        buffer.clear();
        for (const SentencePair& pair : corpus.pairs) {
            buffer += german ? pair.source : pair.target;
            buffer += '\n';
            if (buffer.size() >= (1u << 20)) {
                writer.write(buffer);
                buffer.clear();
            }
        }
        writer.write(buffer);
    };
    writeSide(source, true);
    writeSide(target, false);
    commitTogether(source, target);
}

}  // namespace moewb
