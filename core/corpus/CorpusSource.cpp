#include "moewb/corpus/CorpusSource.h"

#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/corpus/TsvCorpusReader.h"

#include <stdexcept>

namespace moewb {

const char* corpusKindName(CorpusSource::Kind kind) {
    switch (kind) {
        case CorpusSource::Kind::Ding:
            return "ding";
        case CorpusSource::Kind::Moses:
            return "moses";
        case CorpusSource::Kind::Tsv:
            return "tsv";
    }
    return "ding";
}

CorpusSource::Kind parseCorpusKind(const std::string& name) {
    for (const auto kind :
         {CorpusSource::Kind::Ding, CorpusSource::Kind::Moses, CorpusSource::Kind::Tsv}) {
        if (name == corpusKindName(kind)) {
            return kind;
        }
    }
    throw std::invalid_argument("unknown corpus kind '" + name + "' (choose ding, moses or tsv)");
}

std::string CorpusSource::describe() const {
    switch (kind) {
        case Kind::Ding:
            return "ding:" + path + " (" + dingModeName(dingMode) + ")";
        case Kind::Moses:
            return "moses:" + sourcePath + "+" + targetPath;
        case Kind::Tsv:
            return "tsv:" + path;
    }
    return {};
}

ParallelCorpus loadCorpus(const CorpusSource& source, Feedback& feedback, CorpusReadStats* stats) {
    switch (source.kind) {
        case CorpusSource::Kind::Ding: {
            DingOptions options;
            options.path = source.path;
            options.mode = source.dingMode;
            return readDingDictionary(options, feedback, stats);
        }
        case CorpusSource::Kind::Moses:
            if (source.sourcePath.empty() || source.targetPath.empty()) {
                throw std::invalid_argument(
                    "a Moses corpus needs both a German and an English file");
            }
            return readMosesCorpus(source.sourcePath, source.targetPath, feedback, stats);
        case CorpusSource::Kind::Tsv:
            return readTsvCorpus(source.path, feedback, stats);
    }
    throw std::invalid_argument("unknown corpus kind");
}

}  // namespace moewb
