#pragma once
// Reads the Ding German-English dictionary (Debian's trans-de-en, /usr/share/trans/de-en; plain or
// .gz) into sentence pairs.
//
// Format: one entry per line, "German :: English"; lines starting with '#' are comments. Both
// sides are split into parts by " | " (the parts correspond one to one, e.g. singular | plural |
// example sentences), and each part into alternatives by "; ". Separators inside brackets are not
// split on. Annotations are {grammar tags} ({m}, {pl}, {vt}), [labels] ([coll.], [Br.]),
// (notes), <alternative spellings> and /ABBR/ abbreviations.
//
// Pairing alternatives within a part: when both sides have the same number of alternatives they
// are paired index by index; otherwise every German alternative is paired with the first English
// one, and the first German alternative with every further English one (the alternatives are
// synonyms, so this covers every word once without an n x m blow-up).
//
// Classification of a pair: a *sentence* pair has no {grammar tag} on either side and, after its
// annotations are removed, both sides start with an upper-case letter (Unicode-aware: Ä, Ö, Ü ...),
// end in '.', '?' or '!' and have at least three words. Every other pair is a *phrase* pair. Both
// kinds are returned cleaned: annotations removed, spaces collapsed, trimmed; pairs with an empty
// side are dropped. Identical pairs are kept once (the first). A line whose two sides have a
// different number of " | " parts is skipped and counted (CorpusReadStats::skippedPartMismatch).

#include "moewb/corpus/ParallelCorpus.h"

#include <string>
#include <string_view>
#include <vector>

namespace moewb {

class Feedback;

enum class DingMode { Sentences, Phrases, Both };

// "sentences", "phrases", "both".
const char* dingModeName(DingMode mode);
// Parses a dingModeName(); throws std::invalid_argument naming the valid choices otherwise.
DingMode parseDingMode(const std::string& name);

struct DingOptions {
    std::string path = "/usr/share/trans/de-en";  // the Ding file (plain or .gz); Debian's default
    DingMode mode = DingMode::Sentences;          // which pairs to keep; default sentences only
};

// Reads the dictionary. Throws CorpusError for a missing or unreadable file, an invalid line
// (invalid UTF-8, over-long) or when no pair of the requested kind is found; OperationCancelled
// when cancelled. `stats`, when given, receives what was skipped.
ParallelCorpus readDingDictionary(const DingOptions& options, Feedback& feedback,
                                  CorpusReadStats* stats = nullptr);

// ---- The parts, exposed for tests ----

struct DingPair {
    SentencePair pair;      // cleaned
    bool sentence = false;  // both sides are sentences (see above)
};

enum class DingLineKind { Entry, Comment, Blank, Malformed, PartMismatch };

// Parses one line, appending its pairs of kind `keep` (not deduplicated) to `out` and counting
// the others in *otherKind when given.
DingLineKind parseDingLine(std::string_view line, std::vector<DingPair>& out,
                           DingMode keep = DingMode::Both, std::size_t* otherKind = nullptr);

// Removes {…}, […], (…), <…> spans and /ABBR/ tokens, collapses runs of spaces, removes spaces
// before , . ; : ! ? and trims. Unmatched brackets are kept as they are.
std::string cleanDingText(std::string_view text);

// True for cleaned text that starts with an upper-case letter, ends in '.', '?' or '!' and has
// at least three words.
bool isDingSentence(std::string_view cleaned);

}  // namespace moewb
