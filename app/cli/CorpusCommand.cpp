// moewb corpus: reads a corpus, prints pair counts per split and length statistics, and
// optionally writes the splits as Moses-style files.
#include "CliSupport.h"
#include "Commands.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/CorpusStatistics.h"
#include "moewb/corpus/MosesCorpusReader.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace moewb::cli {

namespace {

const char* const kUsage =
    "usage: moewb corpus [--ding [PATH] | --src FILE --tgt FILE | --tsv FILE]\n"
    "                    [--mode sentences|phrases|both] [--valid F] [--test F]\n"
    "                    [--write-splits DIR]\n"
    "\n"
    "Reads a German-English corpus, prints the pairs per deterministic split and length\n"
    "statistics. Files may be plain or .gz UTF-8 text.\n"
    "\n"
    "  --ding [PATH]        the Ding dictionary (default, /usr/share/trans/de-en);\n"
    "                       --ding-path PATH is the same\n"
    "  --src FILE --tgt FILE  Moses-style line-aligned German and English files\n"
    "  --tsv FILE           one 'German<TAB>English' pair per line\n"
    "  --mode MODE          Ding pairs: sentences (default), phrases or both\n"
    "  --valid F            validation share (default 0.02)\n"
    "  --test F             test share (default 0.02)\n"
    "  --write-splits DIR   write DIR/{train,valid,test}.{de,en}\n"
    "  --help               show this help\n";

CorpusSource sourceFromArguments(const Arguments& args) {
    const bool ding = args.has("ding") || args.has("ding-path");
    const bool moses = args.has("src") || args.has("tgt");
    const bool tsv = args.has("tsv");
    if (int(ding) + int(moses) + int(tsv) > 1) {
        throw UsageError("choose one corpus: --ding, --src/--tgt or --tsv");
    }
    if (!args.positional().empty() && !(args.has("ding") && args.positional().size() == 1)) {
        throw UsageError("unexpected argument '" + args.positional().front() + "' (see --help)");
    }
    if (args.has("mode") && (moses || tsv)) {
        throw UsageError("--mode applies to the Ding dictionary only");
    }
    CorpusSource source;
    if (moses) {
        if (!args.has("src") || !args.has("tgt")) {
            throw UsageError("a Moses corpus needs both --src and --tgt");
        }
        source.kind = CorpusSource::Kind::Moses;
        source.sourcePath = args.value("src");
        source.targetPath = args.value("tgt");
    } else if (tsv) {
        source.kind = CorpusSource::Kind::Tsv;
        source.path = args.value("tsv");
    } else {
        source.kind = CorpusSource::Kind::Ding;
        if (args.has("ding-path")) {
            source.path = args.value("ding-path");
        } else if (!args.positional().empty()) {
            source.path = args.positional().front();
        }
        try {
            source.dingMode = parseDingMode(args.value("mode", "sentences"));
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }
    return source;
}

std::string formatDouble(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

void printRow(const std::string& label, const std::string& a, const std::string& b) {
    std::printf("  %-8s %12s %9s\n", label.c_str(), a.c_str(), b.c_str());
}

void printSide(const char* label, const SideStatistics& side) {
    std::printf("  %-13s %5zu %7s %7s %5zu %11zu %12zu\n", label, side.minWords,
                formatDouble(side.meanWords, 2).c_str(), formatDouble(side.medianWords, 1).c_str(),
                side.maxWords, side.words, side.characters);
}

}  // namespace

int runCorpusCommand(const std::vector<std::string>& argv) {
    const Arguments args(
        argv, {"ding-path", "src", "tgt", "tsv", "mode", "valid", "test", "write-splits"},
        {"ding", "help"});
    if (args.has("help")) {
        std::cout << kUsage;
        return 0;
    }
    const CorpusSource source = sourceFromArguments(args);
    SplitOptions splitOptions;
    splitOptions.validFraction =
        args.doubleValue("valid", splitOptions.validFraction, NumberRange::upTo(0, 1));
    splitOptions.testFraction =
        args.doubleValue("test", splitOptions.testFraction, NumberRange::upTo(0, 1));
    try {
        validateSplitOptions(splitOptions);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }

    const auto start = std::chrono::steady_clock::now();
    ConsoleFeedback feedback;
    CorpusReadStats readStats;
    const ParallelCorpus corpus = loadCorpus(source, feedback, &readStats);
    const double readSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const CorpusSplits splits = splitCorpus(corpus, splitOptions);
    const CorpusStatistics stats = computeStatistics(corpus);

    std::printf("corpus: %s\n", corpus.description.c_str());
    std::printf("read:   %zu lines", readStats.linesRead);
    if (readStats.commentLines > 0) {
        std::printf(", %zu comments", readStats.commentLines);
    }
    if (readStats.skippedEmpty > 0) {
        std::printf(", %zu empty skipped", readStats.skippedEmpty);
    }
    if (readStats.skippedMalformed > 0) {
        std::printf(", %zu without ' :: ' skipped", readStats.skippedMalformed);
    }
    if (readStats.skippedPartMismatch > 0) {
        std::printf(", %zu with mismatched ' | ' parts skipped", readStats.skippedPartMismatch);
    }
    if (readStats.skippedOtherMode > 0) {
        std::printf(", %zu pairs of the other mode", readStats.skippedOtherMode);
    }
    if (readStats.duplicates > 0) {
        std::printf(", %zu duplicates dropped", readStats.duplicates);
    }
    std::printf("\n\n");

    const double total = static_cast<double>(corpus.pairs.size());
    auto share = [total](std::size_t n) { return formatDouble(100.0 * n / total, 2) + " %"; };
    printRow("split", "pairs", "share");
    printRow("train", std::to_string(splits.train.pairs.size()), share(splits.train.pairs.size()));
    printRow("valid", std::to_string(splits.valid.pairs.size()), share(splits.valid.pairs.size()));
    printRow("test", std::to_string(splits.test.pairs.size()), share(splits.test.pairs.size()));
    printRow("total", std::to_string(corpus.pairs.size()), share(corpus.pairs.size()));

    std::printf("\n  %-13s %5s %7s %7s %5s %11s %12s\n", "words/pair", "min", "mean", "median",
                "max", "words", "characters");
    printSide("German (src)", stats.source);
    printSide("English (tgt)", stats.target);

    if (args.has("write-splits")) {
        const std::string dir = args.value("write-splits");
        std::filesystem::create_directories(dir);
        writeMosesCorpus(splits.train, dir + "/train");
        writeMosesCorpus(splits.valid, dir + "/valid");
        writeMosesCorpus(splits.test, dir + "/test");
        std::printf("\nwrote %s/{train,valid,test}.{de,en}\n", dir.c_str());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "read in %.2f s, done in %.2f s\n", readSeconds, seconds);
    return 0;
}

}  // namespace moewb::cli
