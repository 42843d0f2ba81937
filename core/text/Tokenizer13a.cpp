#include "moewb/text/Tokenizer13a.h"

namespace moewb {

namespace {

bool isAsciiSpace(unsigned char c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// The multi-byte Python whitespace characters all have 2 or 3 bytes in UTF-8.
std::size_t multiByteSpaceAt(const unsigned char* p, std::size_t available) {
    if (available >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0)) {
        return 2;  // U+0085, U+00A0
    }
    if (available < 3) {
        return 0;
    }
    if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) {
        return 3;  // U+1680
    }
    if (p[0] == 0xE2 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF)) {
        return 3;  // U+2000-U+200A, U+2028, U+2029, U+202F
    }
    if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) {
        return 3;  // U+205F
    }
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
        return 3;  // U+3000
    }
    return 0;
}

// Python's str.replace(): one left-to-right pass of non-overlapping matches.
void replaceAll(std::string& text, std::string_view from, std::string_view to) {
    std::size_t pos = text.find(from);
    if (pos == std::string::npos) {
        return;
    }
    std::string out;
    out.reserve(text.size());
    std::size_t start = 0;
    while (pos != std::string::npos) {
        out.append(text, start, pos - start);
        out.append(to);
        start = pos + from.size();
        pos = text.find(from, start);
    }
    out.append(text, start, std::string::npos);
    text.swap(out);
}

// Rule 1's class [{-~ [-` space-& (-+ :-@ /]: the space and all ASCII punctuation except ' , - .
bool isRule1Char(unsigned char c) {
    return (c >= 0x20 && c <= 0x26) || (c >= 0x28 && c <= 0x2B) || c == 0x2F ||
           (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// The rules work on bytes: every character they name is ASCII, and a [^0-9] that starts or ends
// inside a multi-byte UTF-8 character matches exactly where Python's code-point match would, so
// the byte-wise, left-to-right, non-overlapping scans below give re.sub()'s output.
void applyRule1(const std::string& in, std::string& out) {
    out.clear();
    for (const char c : in) {
        if (isRule1Char(static_cast<unsigned char>(c))) {
            out += ' ';
            out += c;
            out += ' ';
        } else {
            out += c;
        }
    }
}

// Rule 2: ([^0-9])([\.,]) -> "\1 \2 "
void applyRule2(const std::string& in, std::string& out) {
    out.clear();
    const std::size_t n = in.size();
    for (std::size_t i = 0; i < n;) {
        if (i + 1 < n && !isDigit(in[i]) && (in[i + 1] == '.' || in[i + 1] == ',')) {
            out += in[i];
            out += ' ';
            out += in[i + 1];
            out += ' ';
            i += 2;
        } else {
            out += in[i++];
        }
    }
}

// Rule 3: ([\.,])([^0-9]) -> " \1 \2"
void applyRule3(const std::string& in, std::string& out) {
    out.clear();
    const std::size_t n = in.size();
    for (std::size_t i = 0; i < n;) {
        if (i + 1 < n && (in[i] == '.' || in[i] == ',') && !isDigit(in[i + 1])) {
            out += ' ';
            out += in[i];
            out += ' ';
            out += in[i + 1];
            i += 2;
        } else {
            out += in[i++];
        }
    }
}

// Rule 4: ([0-9])(-) -> "\1 \2 "
void applyRule4(const std::string& in, std::string& out) {
    out.clear();
    const std::size_t n = in.size();
    for (std::size_t i = 0; i < n;) {
        if (i + 1 < n && isDigit(in[i]) && in[i + 1] == '-') {
            out += in[i];
            out += " - ";
            i += 2;
        } else {
            out += in[i++];
        }
    }
}

}  // namespace

std::size_t pythonWhitespaceAt(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) {
        return 0;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + pos;
    if (p[0] < 0x80) {
        return isAsciiSpace(p[0]) ? 1 : 0;
    }
    return multiByteSpaceAt(p, text.size() - pos);
}

std::string_view pythonRstrip(std::string_view text) {
    for (;;) {
        const std::size_t n = text.size();
        if (n >= 1 && isAsciiSpace(static_cast<unsigned char>(text[n - 1]))) {
            text.remove_suffix(1);
        } else if (n >= 2 && pythonWhitespaceAt(text, n - 2) == 2) {
            text.remove_suffix(2);
        } else if (n >= 3 && pythonWhitespaceAt(text, n - 3) == 3) {
            text.remove_suffix(3);
        } else {
            return text;
        }
    }
}

std::vector<std::string_view> pythonSplit(std::string_view text) {
    std::vector<std::string_view> tokens;
    std::size_t start = std::string_view::npos;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t space = pythonWhitespaceAt(text, i);
        if (space > 0) {
            if (start != std::string_view::npos) {
                tokens.push_back(text.substr(start, i - start));
                start = std::string_view::npos;
            }
            i += space;
        } else {
            if (start == std::string_view::npos) {
                start = i;
            }
            ++i;
        }
    }
    if (start != std::string_view::npos) {
        tokens.push_back(text.substr(start));
    }
    return tokens;
}

std::string tokenize13a(std::string_view line) {
    std::string text(line);
    replaceAll(text, "<skipped>", "");
    replaceAll(text, "-\n", "");
    replaceAll(text, "\n", " ");
    if (text.find('&') != std::string::npos) {
        // Sequential, like sacreBLEU: "&amp;lt;" ends up as "<".
        replaceAll(text, "&quot;", "\"");
        replaceAll(text, "&amp;", "&");
        replaceAll(text, "&lt;", "<");
        replaceAll(text, "&gt;", ">");
    }
    std::string a = " " + text + " ";
    std::string b;
    b.reserve(a.size() * 2);
    applyRule1(a, b);
    a.reserve(b.size() * 2);
    applyRule2(b, a);
    b.reserve(a.size() * 2);
    applyRule3(a, b);
    applyRule4(b, a);

    std::string result;
    result.reserve(a.size());
    for (const std::string_view token : pythonSplit(a)) {
        if (!result.empty()) {
            result += ' ';
        }
        result.append(token);
    }
    return result;
}

}  // namespace moewb
