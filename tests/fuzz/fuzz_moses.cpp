// The Moses reader, readMosesCorpus(): the input up to its first NUL byte is the German file,
// the rest the English one (seeds: "Ein Hund.\n...\0A dog.\n...").
#include "FuzzSupport.h"

#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/util/Feedback.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    const std::size_t split = std::find(data, data + size, 0) - data;
    const std::string source = fuzz::writeScratch("corpus.de", data, split);
    const std::size_t rest = split < size ? split + 1 : size;
    const std::string target = fuzz::writeScratch("corpus.en", data + rest, size - rest);
    // Every message names the German file (the line-count mismatch names both).
    fuzz::expectCleanErrors(fuzz::scratchFolder(), [&] {
        Feedback feedback;
        CorpusReadStats stats;
        const auto corpus = readMosesCorpus(source, target, feedback, &stats);
        if (corpus.pairs.empty()) {
            fuzz::fail("readMosesCorpus returned no pairs without an error");
        }
    });
    return 0;
}
