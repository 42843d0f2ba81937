#pragma once
// Internal helpers shared by the corpus readers (not installed, not public API).

#include <string_view>

namespace moewb::corpus_detail {

inline std::string_view trimSpaces(std::string_view text) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; };
    while (!text.empty() && space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace moewb::corpus_detail
