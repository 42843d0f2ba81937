// The TSV reader, readTsvCorpus(), on arbitrary bytes (plain or gzip, like every corpus file).
#include "FuzzSupport.h"

#include "moewb/corpus/TsvCorpusReader.h"
#include "moewb/util/Feedback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    const std::string path = fuzz::writeScratch("pairs.tsv", data, size);
    fuzz::expectCleanErrors(path, [&] {
        Feedback feedback;
        CorpusReadStats stats;
        const auto corpus = readTsvCorpus(path, feedback, &stats);
        for (const auto& pair : corpus.pairs) {
            if (pair.source.empty() || pair.target.empty() ||
                pair.source.find('\t') != std::string::npos) {
                fuzz::fail("readTsvCorpus returned an empty side or a tab");
            }
        }
    });
    return 0;
}
