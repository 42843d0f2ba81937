#include "moewb/corpus/DingDictionaryReader.h"

#include "moewb/corpus/CorpusError.h"
#include "moewb/corpus/TextLineReader.h"
#include "moewb/corpus/Utf8.h"
#include "moewb/util/Feedback.h"

#include <cstdint>
#include <functional>
#include <stdexcept>

namespace moewb {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// text.compare(at, ...) == 0 without the call (this runs for every space of the file).
bool startsWithAt(std::string_view text, std::size_t at, std::string_view prefix) {
    if (at + prefix.size() > text.size()) {
        return false;
    }
    for (std::size_t k = 0; k < prefix.size(); ++k) {
        if (text[at + k] != prefix[k]) {
            return false;
        }
    }
    return true;
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
        } else if (depth == 0 && c == separator[0] && startsWithAt(text, i, separator)) {
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

// False when cleanDingText() would return `text` unchanged: no annotation brackets or slashes,
// no tabs, no leading, trailing or doubled spaces, no space before punctuation.
bool needsCleaning(std::string_view text) {
    if (text.empty() || text.front() == ' ' || text.back() == ' ') {
        return true;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '(' || c == '[' || c == '{' || c == '<' || c == '/' || c == '\t' ||
            (c == ' ' && (text[i + 1] == ' ' || isPunctuation(text[i + 1])))) {
            return true;
        }
    }
    return false;
}

// Remembers the pairs kept so far, by index into the corpus, to drop later duplicates without
// copying keys. Open addressing with linear probing keeps it to about one cache miss per pair.
class PairDeduplicator {
public:
    explicit PairDeduplicator(const std::vector<SentencePair>& pairs) : m_pairs(pairs) {
        m_slots.resize(1 << 16);
    }

    // True when m_pairs[index] is new (and remembers it), false when an earlier pair equals it.
    bool insert(std::size_t index) {
        if (2 * (m_size + 1) > m_slots.size()) {
            grow();
        }
        const SentencePair& pair = m_pairs[index];
        const std::hash<std::string_view> hash;
        const std::uint64_t h = hash(pair.source) ^ (hash(pair.target) * 0x9E3779B97F4A7C15ULL);
        for (std::size_t slot = h & (m_slots.size() - 1);;
             slot = (slot + 1) & (m_slots.size() - 1)) {
            Slot& entry = m_slots[slot];
            if (entry.index == 0) {
                entry = {h, index + 1};
                ++m_size;
                return true;
            }
            if (entry.hash == h && m_pairs[entry.index - 1] == pair) {
                return false;
            }
        }
    }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::size_t index = 0;  // index + 1; 0 is an empty slot
    };

    void grow() {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        for (const Slot& entry : old) {
            if (entry.index == 0) {
                continue;
            }
            std::size_t slot = entry.hash & (m_slots.size() - 1);
            while (m_slots[slot].index != 0) {
                slot = (slot + 1) & (m_slots.size() - 1);
            }
            m_slots[slot] = entry;
        }
    }

    const std::vector<SentencePair>& m_pairs;
    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
};

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
    if (!needsCleaning(text)) {
        return std::string(text);  // fast path: most phrases
    }
    std::string result;
    result.reserve(text.size());
    bool pendingSpace = false;
    auto put = [&](char c) {  // collapses spaces, drops them before punctuation, trims
        if (isSpace(c)) {
            pendingSpace = !result.empty();
            return;
        }
        if (pendingSpace && !isPunctuation(c)) {
            result += ' ';
        }
        pendingSpace = false;
        result += c;
    };
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '(' || c == '[' || c == '{' || c == '<') {
            if (const std::size_t close = findClosing(text, i); close != std::string_view::npos) {
                put(' ');
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
        put(c);
        ++i;
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

DingLineKind parseDingLine(std::string_view line, std::vector<DingPair>& out, DingMode keep,
                           std::size_t* otherKind) {
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
    // Scratch space reused across lines (this is called once per line of a 200k-line file).
    thread_local std::vector<std::string_view> germanParts;
    thread_local std::vector<std::string_view> englishParts;
    thread_local std::vector<std::string_view> german;
    thread_local std::vector<std::string_view> english;
    splitTopLevel(line.substr(0, separator), " | ", germanParts);
    splitTopLevel(line.substr(separator + 4), " | ", englishParts);
    if (germanParts.size() != englishParts.size()) {
        return DingLineKind::PartMismatch;
    }
    std::size_t dropped = 0;
    auto emit = [&](std::string_view de, std::string_view en) {
        const bool tagged =
            de.find('{') != std::string_view::npos || en.find('{') != std::string_view::npos;
        // Cheap test first: a sentence needs an end mark on both sides and no grammar tag.
        const bool maybeSentence = !tagged && de.find_first_of(".?!") != std::string_view::npos &&
                                   en.find_first_of(".?!") != std::string_view::npos;
        if (keep == DingMode::Sentences && !maybeSentence) {
            ++dropped;
            return;
        }
        DingPair result;
        result.pair.source = cleanDingText(de);
        result.pair.target = cleanDingText(en);
        if (result.pair.source.empty() || result.pair.target.empty()) {
            return;
        }
        result.sentence = maybeSentence && isDingSentence(result.pair.source) &&
                          isDingSentence(result.pair.target);
        if (keep != DingMode::Both && result.sentence != (keep == DingMode::Sentences)) {
            ++dropped;
            return;
        }
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
    if (otherKind != nullptr) {
        *otherKind += dropped;
    }
    return DingLineKind::Entry;
}

ParallelCorpus readDingDictionary(const DingOptions& options, Feedback& feedback,
                                  CorpusReadStats* stats) {
    const std::string message = "Reading the Ding dictionary " + options.path;
    feedback.throwIfCancelled();
    feedback.setProgress(0.0, message);
    TextLineReader reader(options.path);
    CorpusReadStats counts;
    ParallelCorpus corpus;
    corpus.description =
        "ding:" + options.path + " (" + std::string(dingModeName(options.mode)) + ")";
    PairDeduplicator seen(corpus.pairs);
    std::vector<DingPair> pairs;
    std::string line;
    while (reader.readLine(line)) {
        if ((++counts.linesRead & 1023) == 0) {
            feedback.throwIfCancelled();
            feedback.setProgress(reader.progress(), message);
        }
        pairs.clear();
        switch (parseDingLine(line, pairs, options.mode, &counts.skippedOtherMode)) {
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
            corpus.pairs.push_back(std::move(pair.pair));
            if (!seen.insert(corpus.pairs.size() - 1)) {
                corpus.pairs.pop_back();
                ++counts.duplicates;
            }
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
