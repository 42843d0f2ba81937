// TextLineReader, under every corpus reader: plain or gzip (detected from the content), UTF-8
// checks, line-length limit, "\r\n" and byte-order mark. Every line it returns is valid UTF-8
// within the limit, without "\n".
#include "FuzzSupport.h"

#include "moewb/corpus/TextLineReader.h"
#include "moewb/corpus/Utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace moewb;
    const std::string path = fuzz::writeScratch("lines.txt", data, size);
    fuzz::expectCleanErrors(path, [&] {
        TextLineReader reader(path);
        std::string line;
        std::size_t lines = 0;
        while (reader.readLine(line)) {
            ++lines;
            if (line.size() > TextLineReader::kMaxLineBytes ||
                line.find('\n') != std::string::npos ||
                findInvalidUtf8(line) != std::string::npos || reader.lineNumber() != lines) {
                fuzz::fail("TextLineReader returned a bad line " + std::to_string(lines));
            }
            const double progress = reader.progress();
            if (!(progress >= 0.0 && progress <= 1.0)) {
                fuzz::fail("TextLineReader progress outside [0, 1]");
            }
        }
    });
    return 0;
}
