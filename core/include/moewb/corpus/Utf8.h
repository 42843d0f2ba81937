#pragma once
// Small UTF-8 helpers for the corpus readers: strict validation, decoding and a Unicode-aware
// upper-case test for the letters German, English and their neighbours use.

#include <cstddef>
#include <string>
#include <string_view>

namespace moewb {

// Returns the byte offset of the first invalid UTF-8 sequence in `text`, or std::string_view::npos
// when it is all valid. Strict: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF, no truncated sequences.
std::size_t findInvalidUtf8(std::string_view text);

inline bool isValidUtf8(std::string_view text) {
    return findInvalidUtf8(text) == std::string_view::npos;
}

// Decodes the code point at `pos` of valid UTF-8 and advances `pos` past it. Returns U+FFFD (and
// advances one byte) on a malformed sequence.
char32_t decodeUtf8(std::string_view text, std::size_t& pos);

// The number of code points in valid UTF-8 (continuation bytes are not counted).
std::size_t countCodePoints(std::string_view text);

// True for upper-case letters of Basic Latin, Latin-1 (Ä Ö Ü ...), Latin Extended-A, capital
// sharp s (U+1E9E), Greek and Cyrillic. Locale-independent.
bool isUpperCaseLetter(char32_t c);

}  // namespace moewb
