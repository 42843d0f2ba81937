#include "CliSupport.h"
#include "Commands.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/moe/Sweep.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace moewb::cli {
namespace {

std::vector<int> parseKs(const std::string& text) {
    std::vector<int> ks;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        try {
            ks.push_back(std::stoi(item));
        } catch (const std::exception&) {
            throw UsageError("K lists are comma-separated integers, e.g. 1,2,4,8 (not '" + text +
                             "')");
        }
    }
    return ks;
}

}  // namespace

void printSweep(const SweepResult& result) {
    std::printf("%-6s %-6s %7s %9s %9s %8s %8s %8s\n", "enc K", "dec K", "BLEU", "time s", "FFN s",
                "speedup", "recall", "FFN err");
    auto line = [&](const SweepRow& r, const char* label) {
        std::printf("%-6s %-6s %7.2f %9.3f %9.3f %7.2fx %8.3f %8.3f\n",
                    label ? label : std::to_string(r.encoderK).c_str(),
                    label ? "" : std::to_string(r.decoderK).c_str(), r.bleu, r.seconds,
                    r.ffnSeconds, result.dense.seconds / r.seconds, r.recall, r.ffnError);
    };
    line(result.dense, "dense");
    for (const auto& r : result.rows) {
        line(r, nullptr);
    }
}

int runSweepCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv,
                         {"router", "ks", "encoder-ks", "decoder-ks", "beam", "batch", "src", "ref",
                          "limit", "name", "threads", "tokens"},
                         {"help", "grid"});
    if (args.has("help") || args.positional().size() != 1) {
        std::cout
            << "usage: moewb sweep PROJECT --router NAME [--ks 1,2,4,8,16] [--encoder-ks L]\n"
               "                   [--decoder-ks L] [--grid] [--beam 1] [--batch 32]\n"
               "                   [--src F --ref F] [--limit N] [--name NAME]\n"
               "Translates a test set (default: the built-in demo set) dense and at each K with\n"
               "the saved router PROJECT/routers/NAME.json: BLEU, time, FFN time, speedup,\n"
               "recall@K and FFN error. --grid sweeps every encoder K x decoder K pair.\n"
               "Writes PROJECT/sweeps/NAME.csv and .json.\n";
        return args.has("help") ? 0 : 2;
    }
    if (!args.has("router")) {
        throw UsageError("--router NAME is required (see PROJECT/routers/)");
    }
    configureTorchThreads(args.intValue("threads", 0));
    auto project = Project::open(args.positional()[0]);
    auto model = NmtModel::load(project.modelPath());
    const std::string routerName = args.value("router");
    const auto routerDocument = readFileBytes(project.routerPath(routerName));
    const std::string partition = nlohmann::json::parse(routerDocument).value("partition", "");
    const auto experts = buildExperts(*model, loadPartitionSet(project.partitionPath(partition)));
    const auto routers = loadRouterSet(project.routerPath(routerName), experts);
    ConsoleFeedback feedback;
    ParallelCorpus test = args.has("src")
                              ? readMosesCorpus(args.value("src"), args.value("ref"), feedback)
                              : loadDemoSet();
    if (const int limit = args.intValue("limit", 0);
        limit > 0 && std::size_t(limit) < test.pairs.size()) {
        test.pairs.resize(static_cast<std::size_t>(limit));
    }
    SweepOptions options;
    options.encoderKs = parseKs(args.value("encoder-ks", args.value("ks")));
    options.decoderKs = parseKs(args.value("decoder-ks", args.value("ks")));
    options.grid = args.has("grid");
    options.decoding.beamSize = args.intValue("beam", 1);
    options.decoding.batchSize = args.intValue("batch", 32);
    // FFN error is measured on inputs from the test sentences themselves (teacher forced).
    SubFeedback collect(feedback, 0.0, 0.1);
    const auto inputs =
        collectFfnInputs(*model, test.pairs, args.intValue("tokens", 20000), collect);
    SubFeedback sweep(feedback, 0.1, 1.0);
    const auto result = runSweep(*model, experts, routers, test, inputs, options, sweep);
    const std::string name = args.value("name", routerName);
    writeFileAtomic(project.sweepPath(name, "csv"), result.toCsv());
    writeFileAtomic(project.sweepPath(name, "json"), result.toJson().dump(1) + "\n");
    std::printf("sweep of %s over %s on %s (%zu sentences, %s)\n", routers.kind.c_str(),
                partition.c_str(), test.description.c_str(), test.pairs.size(),
                options.decoding.beamSize == 1 ? "greedy" : "beam");
    printSweep(result);
    std::printf("saved %s\n", project.sweepPath(name, "csv").c_str());
    return 0;
}

}  // namespace moewb::cli
