// The Ding dictionary reader, readDingDictionary(), on arbitrary bytes; the input's size picks
// the mode (sentences, phrases or both), so every mode is fuzzed from the same seeds.
#include "FuzzSupport.h"

#include "moewb/corpus/DingDictionaryReader.h"
#include "moewb/util/Feedback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    static const DingMode modes[] = {DingMode::Sentences, DingMode::Phrases, DingMode::Both};
    DingOptions options;
    options.path = fuzz::writeScratch("de-en", data, size);
    options.mode = modes[size % 3];
    fuzz::expectCleanErrors(options.path, [&] {
        Feedback feedback;
        CorpusReadStats stats;
        const auto corpus = readDingDictionary(options, feedback, &stats);
        for (const auto& pair : corpus.pairs) {
            if (pair.source.empty() || pair.target.empty()) {
                fuzz::fail("readDingDictionary returned a pair with an empty side");
            }
        }
    });
    return 0;
}
