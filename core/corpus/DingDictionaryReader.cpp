#include "moewb/corpus/DingDictionaryReader.h"

#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/TextLineReader.h"
#include "moewb/corpus/Utf8.h"
#include "moewb/util/Feedback.h"

#include <stdexcept>
#include <unordered_set>

namespace moewb {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Splits at `separator` outside (), [] and {}. Falls back to a plain split when the brackets do
// not balance, so one stray bracket cannot swallow the rest of the line.
void splitTopLevel(std::string_view text, std::string_view separator,
                   std::vector<std::string_view>& out) {
    out.clear();
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '(' || c == '[' || c == '{') {
            ++depth;
        } else if (c == ')' || c == ']' || c == '}') {
            depth = depth > 0 ? depth - 1 : 0;
        } else if (depth == 0 && c == separator[0] &&
                   text.compare(i, separator.size(), separator) == 0) {
            out.push_back(trim(text.substr(start, i - start)));
            start = i + separator.size();
            i = start - 1;
        }
    }
    if (depth != 0) {
        out.clear();
        start = 0;
        for (std::size_t at; (at = text.find(separator, start)) != std::string_view::npos;
             start = at + separator.size()) {
            out.push_back(trim(text.substr(start, at - start)));
        }
    }
    out.push_back(trim(text.substr(start)));
}

// The index of the bracket closing the one at `open`, counting nested brackets of the same kind.
std::size_t findClosing(std::string_view text, std::size_t open) {
    const char opening = text[open];
    const char closing = opening == '(' ? ')' : opening == '[' ? ']' : opening == '{' ? '}' : '>';
    int depth = 0;
    for (std::size_t i = open; i < text.size(); ++i) {
        if (text[i] == opening) {
            ++depth;
        } else if (text[i] == closing && --depth == 0) {
            return i;
        }
    }
    return std::string_view::npos;
}

bool isPunctuation(char c) {
    return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?';
}

}  // namespace

const char* dingModeName(DingMode mode) {
    switch (mode) {
        case DingMode::Sentences:
            return "sentences";
        case DingMode::Phrases:
            return "phrases";
        case DingMode::Both:
            return "both";
    }
    return "sentences";
}

DingMode parseDingMode(const std::string& name) {
    for (const DingMode mode : {DingMode::Sentences, DingMode::Phrases, DingMode::Both}) {
        if (name == dingModeName(mode)) {
            return mode;
        }
    }
    throw std::invalid_argument("unknown Ding mode '" + name +
                                "' (choose sentences, phrases or both)");
}

std::string cleanDingText(std::string_view text) {
    std::string stripped;
    stripped.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '(' || c == '[' || c == '{' || c == '<') {
            if (const std::size_t close = findClosing(text, i); close != std::string_view::npos) {
                stripped += ' ';
                i = close + 1;
                continue;
            }
        } else if (c == '/' && (i == 0 || isSpace(text[i - 1]))) {
            std::size_t end = i + 1;
            while (end < text.size() && !isSpace(text[end]) && text[end] != '/') {
                ++end;
            }
            const bool token = end < text.size() && text[end] == '/' && end > i + 1 &&
                               (end + 1 == text.size() || isSpace(text[end + 1]));
            if (token) {
                i = end + 1;
                continue;
            }
        }
        stripped += c;
        ++i;
    }
    std::string result;
    result.reserve(stripped.size());
    bool pendingSpace = false;
    for (const char c : stripped) {
        if (isSpace(c)) {
            pendingSpace = !result.empty();
            continue;
        }
        if (pendingSpace && !isPunctuation(c)) {
            result += ' ';
        }
        pendingSpace = false;
        result += c;
    }
    return result;
}

bool isDingSentence(std::string_view cleaned) {
    if (cleaned.empty()) {
        return false;
    }
    const char last = cleaned.back();
    if (last != '.' && last != '?' && last != '!') {
        return false;
    }
    std::size_t pos = 0;
    if (!isUpperCaseLetter(decodeUtf8(cleaned, pos))) {
        return false;
    }
    int words = 0;
    bool inWord = false;
    for (const char c : cleaned) {
        if (isSpace(c)) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            if (++words >= 3) {
                return true;
            }
        }
    }
    return false;
}

DingLineKind parseDingLine(std::string_view line, std::vector<DingPair>& out) {
    line = trim(line);
    if (line.empty()) {
        return DingLineKind::Blank;
    }
    if (line.front() == '#') {
        return DingLineKind::Comment;
    }
    const std::size_t separator = line.find(" :: ");
    if (separator == std::string_view::npos) {
        return DingLineKind::Malformed;
    }
    std::vector<std::string_view> germanParts;
    std::vector<std::string_view> englishParts;
    splitTopLevel(line.substr(0, separator), " | ", germanParts);
    splitTopLevel(line.substr(separator + 4), " | ", englishParts);
    if (germanParts.size() != englishParts.size()) {
        return DingLineKind::PartMismatch;
    }
    std::vector<std::string_view> german;
    std::vector<std::string_view> english;
    auto emit = [&out](std::string_view de, std::string_view en) {
        const bool tagged = de.find('{') != std::string_view::npos ||
                            en.find('{') != std::string_view::npos;
        DingPair result;
        result.pair.source = cleanDingText(de);
        result.pair.target = cleanDingText(en);
        if (result.pair.source.empty() || result.pair.target.empty()) {
            return;
        }
        result.sentence =
            !tagged && isDingSentence(result.pair.source) && isDingSentence(result.pair.target);
        out.push_back(std::move(result));
    };
    for (std::size_t part = 0; part < germanParts.size(); ++part) {
        splitTopLevel(germanParts[part], "; ", german);
        splitTopLevel(englishParts[part], "; ", english);
        if (german.size() == english.size()) {
            for (std::size_t k = 0; k < german.size(); ++k) {
                emit(german[k], english[k]);
            }
        } else {
            for (const std::string_view de : german) {
                emit(de, english.front());
            }
            for (std::size_t k = 1; k < english.size(); ++k) {
                emit(german.front(), english[k]);
            }
        }
    }
    return DingLineKind::Entry;
}

ParallelCorpus readDingDictionary(const DingOptions& options, Feedback& feedback,
                                  CorpusReadStats* stats) {
    const std::string message = "Reading the Ding dictionary " + options.path;
    feedback.setProgress(0.0, message);
    TextLineReader reader(options.path);
    CorpusReadStats counts;
    ParallelCorpus corpus;
    corpus.description =
        "ding:" + options.path + " (" + std::string(dingModeName(options.mode)) + ")";
    std::unordered_set<std::string> seen;
    std::vector<DingPair> pairs;
    std::string line;
    std::string key;
    while (reader.readLine(line)) {
        if ((++counts.linesRead & 1023) == 0) {
            feedback.throwIfCancelled();
            feedback.setProgress(reader.progress(), message);
        }
        pairs.clear();
        switch (parseDingLine(line, pairs)) {
            case DingLineKind::Comment:
                ++counts.commentLines;
                continue;
            case DingLineKind::Blank:
                ++counts.skippedEmpty;
                continue;
            case DingLineKind::Malformed:
                ++counts.skippedMalformed;
                continue;
            case DingLineKind::PartMismatch:
                ++counts.skippedPartMismatch;
                continue;
            case DingLineKind::Entry:
                break;
        }
        for (DingPair& pair : pairs) {
            const bool wanted = options.mode == DingMode::Both ||
                                pair.sentence == (options.mode == DingMode::Sentences);
            if (!wanted) {
                ++counts.skippedOtherMode;
                continue;
            }
            key.assign(pair.pair.source).append(1, '\t').append(pair.pair.target);
            if (!seen.insert(key).second) {
                ++counts.duplicates;
                continue;
            }
            corpus.pairs.push_back(std::move(pair.pair));
        }
    }
    if (stats != nullptr) {
        *stats = counts;
    }
    if (corpus.pairs.empty()) {
        throw CorpusError(options.path, 0,
                          std::string("no sentence pairs found (in mode '") +
                              dingModeName(options.mode) +
                              "'; check that it is a Ding file of 'German :: English' lines, "
                              "or choose another mode)");
    }
    feedback.setProgress(1.0, message);
    return corpus;
}

}  // namespace moewb
