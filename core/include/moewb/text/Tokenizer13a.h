#pragma once
// sacreBLEU's default "13a" tokenizer (mteval-v13a.pl as sacreBLEU 2.x implements it), reproduced
// byte for byte on UTF-8 text, plus the Python str.split()/str.rstrip() whitespace rules that
// sacreBLEU's results depend on.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace moewb {

// Tokenizes one segment exactly like sacreBLEU 2.x's Tokenizer13a: drops "<skipped>", joins
// "-\n", turns "\n" into spaces, unescapes &quot; &amp; &lt; &gt; (only if the line contains '&'),
// splits off punctuation, then rejoins the tokens with single spaces. Expects UTF-8.
std::string tokenize13a(std::string_view line);

// Length in bytes of the Python whitespace character (str.isspace(): ASCII \t\n\v\f\r, \x1c-\x1f,
// space, and U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000)
// starting at `pos`, or 0 if there is none.
std::size_t pythonWhitespaceAt(std::string_view text, std::size_t pos);

// Python's text.rstrip() and text.split() (no arguments) on UTF-8 text.
std::string_view pythonRstrip(std::string_view text);
std::vector<std::string_view> pythonSplit(std::string_view text);

}  // namespace moewb
