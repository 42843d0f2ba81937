#include "CliSupport.h"
#include "Commands.h"
#include "moewb/corpus/TextLineReader.h"

#include "moewb/text/Bleu.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace moewb::cli {

namespace {

const char* const kUsage =
    "usage: moewb bleu HYP REF [--sentence] [--json]\n"
    "Scores the hypothesis file HYP against the reference file REF (UTF-8, one segment per line,\n"
    "aligned) with corpus BLEU exactly as sacreBLEU 2.x computes it by default: 13a tokenizer,\n"
    "mixed case, exp smoothing. Prints the score, the 1- to 4-gram precisions, the brevity\n"
    "penalty, the length ratio, both lengths and the signature.\n"
    "  --sentence  also print each line's sentence BLEU (effective order, as sentence_bleu)\n"
    "  --json      print one JSON object instead of text\n";

// The corpus line reader validates UTF-8 and names file and line in its errors.
std::vector<std::string> readLines(const std::string& path) {
    TextLineReader reader(path);
    std::vector<std::string> lines;
    for (std::string line; reader.readLine(line);) {
        lines.push_back(std::move(line));
    }
    return lines;
}

// Field names as in sacreBLEU's own JSON and the golden fixtures.
nlohmann::ordered_json toJson(const BleuScore& score) {
    nlohmann::ordered_json json;
    json["score"] = score.score;
    json["counts"] = score.counts;
    json["totals"] = score.totals;
    json["precisions"] = score.precisions;
    json["bp"] = score.bp;
    json["ratio"] = score.ratio();
    json["sys_len"] = score.sysLen;
    json["ref_len"] = score.refLen;
    return json;
}

}  // namespace

int runBleuCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {}, {"sentence", "json", "help"});
    if (args.has("help")) {
        std::cout << kUsage;
        return 0;
    }
    if (args.positional().size() != 2) {
        throw UsageError("needs a hypothesis file and a reference file: moewb bleu HYP REF");
    }
    const std::string& hypPath = args.positional()[0];
    const std::string& refPath = args.positional()[1];
    const std::vector<std::string> hyps = readLines(hypPath);
    const std::vector<std::string> refs = readLines(refPath);
    if (hyps.size() != refs.size()) {
        throw std::runtime_error(hypPath + " has " + std::to_string(hyps.size()) + " lines but " +
                                 refPath + " has " + std::to_string(refs.size()) +
                                 "; the files must hold the same segments, one per line");
    }
    for (std::size_t i = 0; i < refs.size(); ++i) {
        // Blank is empty: no tokens to match (`moewb eval` refuses a blank reference too).
        if (refs[i].find_first_not_of(" \t") == std::string::npos) {
            throw std::runtime_error(refPath + ":" + std::to_string(i + 1) +
                                     ": empty reference (sacreBLEU cannot score it); remove line " +
                                     std::to_string(i + 1) + " from both files");
        }
    }

    // Per-line statistics once; the corpus score is their sum, the sentence scores each one.
    std::vector<BleuStats> lineStats;
    lineStats.reserve(hyps.size());
    BleuStats total;
    for (std::size_t i = 0; i < hyps.size(); ++i) {
        lineStats.push_back(bleuSegmentStats(hyps[i], refs[i]));
        total += lineStats.back();
    }
    const BleuScore corpus = bleuFromStats(total, false);
    const bool sentences = args.has("sentence");

    if (args.has("json")) {
        nlohmann::ordered_json out = {{"name", "BLEU"},
                                      {"hyp", hypPath},
                                      {"ref", refPath},
                                      {"signature", bleuSignature(false)},
                                      {"summary", formatBleu(corpus)}};
        out.update(toJson(corpus));
        if (sentences) {
            out["sentence_signature"] = bleuSignature(true);
            auto& list = out["sentences"] = nlohmann::ordered_json::array();
            for (std::size_t i = 0; i < lineStats.size(); ++i) {
                nlohmann::ordered_json entry = {{"line", i + 1}};
                entry.update(toJson(bleuFromStats(lineStats[i], true)));
                list.push_back(std::move(entry));
            }
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }

    if (sentences) {
        for (std::size_t i = 0; i < lineStats.size(); ++i) {
            std::cout << i + 1 << "\t" << formatBleu(bleuFromStats(lineStats[i], true)) << "\n";
        }
        std::cout << "sentence signature: " << bleuSignature(true) << "\n\n";
    }
    std::cout << formatBleu(corpus) << "\n";
    std::cout << "signature: " << bleuSignature(false) << "\n";
    return 0;
}

}  // namespace moewb::cli
