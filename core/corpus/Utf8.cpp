#include "moewb/corpus/Utf8.h"

#include <cstdint>
#include <cstring>

namespace moewb {

std::size_t findInvalidUtf8(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        // Fast path: eight ASCII bytes at a time.
        if (i + 8 <= n) {
            std::uint64_t chunk;
            std::memcpy(&chunk, s + i, 8);
            if ((chunk & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;  // allowed range of the second byte
        unsigned char high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c == 0xE0) {
            length = 3;
            low = 0xA0;  // no overlongs
        } else if (c >= 0xE1 && c <= 0xEC) {
            length = 3;
        } else if (c == 0xED) {
            length = 3;
            high = 0x9F;  // no surrogates
        } else if (c >= 0xEE && c <= 0xEF) {
            length = 3;
        } else if (c == 0xF0) {
            length = 4;
            low = 0x90;  // no overlongs
        } else if (c >= 0xF1 && c <= 0xF3) {
            length = 4;
        } else if (c == 0xF4) {
            length = 4;
            high = 0x8F;  // nothing above U+10FFFF
        } else {
            return i;  // continuation byte, overlong lead (C0, C1) or F5..FF
        }
        if (i + length > n || s[i + 1] < low || s[i + 1] > high) {
            return i;
        }
        for (std::size_t k = 2; k < length; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return i;
            }
        }
        i += length;
    }
    return std::string_view::npos;
}

char32_t decodeUtf8(std::string_view text, std::size_t& pos) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const unsigned char c = s[pos];
    std::size_t length = 1;
    char32_t cp = c;
    if (c >= 0xF0) {
        length = 4;
        cp = c & 0x07;
    } else if (c >= 0xE0) {
        length = 3;
        cp = c & 0x0F;
    } else if (c >= 0xC0) {
        length = 2;
        cp = c & 0x1F;
    } else if (c >= 0x80) {
        ++pos;
        return 0xFFFD;
    }
    if (pos + length > text.size()) {
        ++pos;
        return 0xFFFD;
    }
    for (std::size_t k = 1; k < length; ++k) {
        cp = (cp << 6) | (s[pos + k] & 0x3F);
    }
    pos += length;
    return cp;
}

std::size_t countCodePoints(std::string_view text) {
    std::size_t count = 0;
    for (const char ch : text) {
        count += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
    }
    return count;
}

bool isUpperCaseLetter(char32_t c) {
    if (c < 0x80) {
        return c >= 'A' && c <= 'Z';
    }
    if (c >= 0xC0 && c <= 0xDE) {
        return c != 0xD7;  // À..Þ except the multiplication sign
    }
    if (c >= 0x100 && c <= 0x137) {
        return c % 2 == 0;  // Ā ā Ă ă ... Ķ ķ alternate
    }
    if (c >= 0x139 && c <= 0x148) {
        return c % 2 == 1;  // Ĺ ĺ ... Ň ň
    }
    if (c >= 0x14A && c <= 0x177) {
        return c % 2 == 0;  // Ŋ ŋ ... Ŷ ŷ
    }
    if (c == 0x178 || c == 0x179 || c == 0x17B || c == 0x17D) {
        return true;  // Ÿ Ź Ż Ž
    }
    if (c == 0x1E9E) {
        return true;  // capital sharp s
    }
    if (c >= 0x391 && c <= 0x3A9) {
        return c != 0x3A2;  // Greek capitals
    }
    if (c >= 0x400 && c <= 0x42F) {
        return true;  // Cyrillic capitals
    }
    return false;
}

}  // namespace moewb
