#include "moewb/corpus/DemoSet.h"

#include "moewb/corpus/TsvCorpusReader.h"
#include "moewb/util/Feedback.h"
#include "moewb/util/Paths.h"

#include <stdexcept>

namespace moewb {

std::string demoSetPath() {
    const std::string path = findResource("demo/demo.tsv");
    if (path.empty()) {
        std::string where;
        for (const auto& folder : resourceSearchPath()) {
            where += " " + folder + "/demo";
        }
        throw std::runtime_error("the built-in demo set (demo.tsv) was not found in:" + where +
                                 "; reinstall MoE Workbench or set MOEWB_RESOURCE_DIR");
    }
    return path;
}

ParallelCorpus loadDemoSet() {
    Feedback quiet;
    auto corpus = readTsvCorpus(demoSetPath(), quiet);
    corpus.description = "built-in demo set";
    return corpus;
}

}  // namespace moewb
