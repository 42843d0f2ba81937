// sacreBLEU's 13a tokenizer and the Python whitespace helpers BLEU relies on, on arbitrary bytes
// (hypotheses come from the model or from user files). On valid UTF-8 the tokens are valid UTF-8
// too; split() returns non-empty tokens without whitespace.
#include "FuzzSupport.h"

#include "moewb/corpus/Utf8.h"
#include "moewb/text/Tokenizer13a.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool validInput = findInvalidUtf8(text) == std::string::npos;
    const std::string tokens = tokenize13a(text);
    if (validInput && findInvalidUtf8(tokens) != std::string::npos) {
        fuzz::fail("tokenize13a turned valid UTF-8 into invalid UTF-8");
    }
    for (const std::string_view token : pythonSplit(tokens)) {
        if (token.empty()) {
            fuzz::fail("pythonSplit returned an empty token");
        }
        // Only valid UTF-8 has character boundaries to look for whitespace at.
        for (std::size_t i = 0; validInput && i < token.size(); ++i) {
            if (pythonWhitespaceAt(token, i) != 0) {
                fuzz::fail("pythonSplit returned a token with whitespace");
            }
        }
    }
    const std::string_view stripped = pythonRstrip(text);
    if (stripped.size() > text.size() || text.substr(0, stripped.size()) != stripped) {
        fuzz::fail("pythonRstrip did not return a prefix");
    }
    return 0;
}
