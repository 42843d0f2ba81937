#include "moewb/util/ErrorText.h"

#include <c10/util/Exception.h>

namespace moewb {

std::string errorText(const std::string& message) {
    std::string out;
    std::size_t begin = 0;
    while (begin <= message.size()) {
        auto end = message.find('\n', begin);
        if (end == std::string::npos) {
            end = message.size();
        }
        std::string line = message.substr(begin, end - begin);
        begin = end + 1;
        // Everything from the backtrace on is for LibTorch's developers.
        if (line.rfind("Exception raised from", 0) == 0 || line.rfind("frame #", 0) == 0) {
            break;
        }
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) {
            continue;
        }
        line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
        out += (out.empty() ? "" : " ") + line;
    }
    return out;
}

std::string errorText(const std::exception& error) {
    if (const auto* torch = dynamic_cast<const c10::Error*>(&error)) {
        return errorText(std::string(torch->what_without_backtrace()));
    }
    return errorText(std::string(error.what()));
}

bool isTorchError(const std::exception& error) {
    return dynamic_cast<const c10::Error*>(&error) != nullptr;
}

}  // namespace moewb
