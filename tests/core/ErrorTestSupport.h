#pragma once
// What a call throws, for tests of error messages.

#include <exception>
#include <functional>
#include <string>

namespace moewb::test {

// The message of what `run` throws ("" when it does not throw).
inline std::string errorOf(const std::function<void()>& run) {
    try {
        run();
    } catch (const std::exception& error) {
        return error.what();
    }
    return {};
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace moewb::test
