// A whole training run, the project's against a PyTorch reference (bench/peer/train_run.py) on
// the same token ids, alternating A B / B A round by round: tokens/s over the whole run (data
// preparation, batching, steps, validation and checkpoints after every epoch), and where each
// run's time went. Data: the first --pairs pairs of Multi30k train and its whole validation set
// from ../shared/data/multi30k, tokenized with the shipped model's tokenizer; the project's run
// continues the shipped model (--init-from), the reference starts from random weights (speed
// does not depend on the weights). Writes a CSV.
//
// usage: train_run_bench [--pairs 6000] [--epochs 2] [--rounds 2] [--csv train_run_bench.csv]
//                        [--python /usr/bin/python3]
#include "BenchTiming.h"

#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/nmt/Trainer.h"
#include "moewb/util/Feedback.h"
#include "moewb/util/TorchRuntime.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace moewb;

namespace {

struct Run {
    std::string side;  // "moewb" or "pytorch"
    int64_t tokens = 0;
    double seconds = 0;
    std::string phases;
    double rate() const { return tokens / seconds; }
};

// Pairs as trainModel keeps them (TokenBatches.cpp tokenizePairs): both sides non-empty and
// shorter than maxTokens pieces, the source closed by EOS.
void writeIds(std::ofstream& out, const SentencePieceModel& tokenizer,
              const std::vector<SentencePair>& pairs, int maxTokens) {
    for (const auto& pair : pairs) {
        auto source = tokenizer.encode(pair.source);
        const auto target = tokenizer.encode(pair.target);
        if (source.empty() || target.empty() || static_cast<int>(source.size()) >= maxTokens ||
            static_cast<int>(target.size()) >= maxTokens) {
            continue;
        }
        source.push_back(SentencePieceModel::kEosId);
        for (std::size_t i = 0; i < source.size(); ++i) {
            out << (i ? " " : "") << source[i];
        }
        out << '\t';
        for (std::size_t i = 0; i < target.size(); ++i) {
            out << (i ? " " : "") << target[i];
        }
        out << '\n';
    }
}

Run runProject(const TrainingData& data, const std::string& modelPath, int epochs,
               const std::string& checkpointDir) {
    std::filesystem::remove_all(checkpointDir);
    TrainingOptions options;
    options.initFrom = modelPath;
    options.maxEpochs = epochs;
    options.patience = epochs + 1;
    options.checkpointDir = checkpointDir;
    Feedback quiet;
    const auto result = trainModel(data, options, quiet);
    std::ostringstream phases;
    for (const auto& [name, seconds] : result.phases.phases()) {
        phases << (phases.tellp() > 0 ? "," : "") << name << "=" << seconds;
    }
    return {"moewb", result.trainedTokens, result.runSeconds, phases.str()};
}

Run runPeer(const std::string& python, const std::string& script, const std::string& ids,
            int epochs, int threads, const std::string& checkpointDir) {
    std::filesystem::remove_all(checkpointDir);
    const std::string command = "OMP_WAIT_POLICY=PASSIVE " + python + " " + script + " " + ids +
                                " " + std::to_string(epochs) + " 3000 " + std::to_string(threads) +
                                " " + checkpointDir;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
        throw std::runtime_error("cannot start " + command);
    }
    std::string output;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) {
        output += buffer;
    }
    if (pclose(pipe) != 0) {
        throw std::runtime_error("the PyTorch reference failed: " + command + "\n" + output);
    }
    Run run{"pytorch", 0, 0, ""};
    std::istringstream line(output.substr(output.rfind("peer tokens")));
    std::string word, validLoss;
    line >> word >> word >> run.tokens >> word >> run.seconds >> word >> validLoss >> word;
    std::getline(line >> std::ws, run.phases);  // phase names hold spaces
    while (!run.phases.empty() && (run.phases.back() == '\n' || run.phases.back() == '\r')) {
        run.phases.pop_back();
    }
    return run;
}

}  // namespace

int main(int argc, char** argv) {
    int pairsWanted = 6000, epochs = 2, rounds = 2;
    std::string csvPath = "train_run_bench.csv", python = "/usr/bin/python3";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--pairs"))
            pairsWanted = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--epochs"))
            epochs = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--rounds"))
            rounds = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--csv"))
            csvPath = argv[i + 1];
        if (!std::strcmp(argv[i], "--python"))
            python = argv[i + 1];
    }
    const std::string data = std::string(MOEWB_SHARED_DIR) + "/data/multi30k/";
    const std::string script = std::string(MOEWB_BENCH_DIR) + "/peer/train_run.py";
    if (!std::filesystem::exists(data + "train.de")) {
        std::printf("skipped: %s is absent (the Multi30k files of ../shared/data)\n", data.c_str());
        return 0;
    }
    configureTorchThreads(0);
    const int threads = at::get_num_threads();
    Feedback quiet;
    auto train = readMosesCorpus(data + "train.de", data + "train.en", quiet).pairs;
    if (static_cast<int>(train.size()) > pairsWanted) {
        train.resize(pairsWanted);
    }
    TrainingData trainingData;
    trainingData.sentences = train;
    trainingData.valid = readMosesCorpus(data + "val.de", data + "val.en", quiet).pairs;
    trainingData.description = "Multi30k train (first pairs)";

    const std::string modelPath = NmtModel::defaultModelPath();
    const auto model = NmtModel::load(modelPath);
    const auto work = std::filesystem::temp_directory_path() / "moewb-train-run-bench";
    std::filesystem::create_directories(work);
    const std::string ids = (work / "ids.txt").string();
    {
        std::ofstream out(ids);
        const int maxTokens = TrainingOptions().maxSentenceTokens;
        out << "train\n";
        writeIds(out, model->tokenizer(), trainingData.sentences, maxTokens);
        out << "valid\n";
        writeIds(out, model->tokenizer(), trainingData.valid, model->config().maxPositions - 2);
    }
    std::printf("%zu train pairs, %zu valid pairs, %d epochs, %d threads, %d rounds\n",
                trainingData.sentences.size(), trainingData.valid.size(), epochs, threads, rounds);

    std::vector<Run> runs;
    std::vector<double> ours, peer, ratios;
    for (int round = 0; round < rounds; ++round) {
        Run a, b;
        if (round % 2 == 0) {
            a = runProject(trainingData, modelPath, epochs, (work / "moewb").string());
            b = runPeer(python, script, ids, epochs, threads, (work / "peer").string());
        } else {
            b = runPeer(python, script, ids, epochs, threads, (work / "peer").string());
            a = runProject(trainingData, modelPath, epochs, (work / "moewb").string());
        }
        for (const Run* run : {&a, &b}) {
            std::printf("round %d %-8s %9lld tokens %7.1f s %6.0f tok/s  %s\n", round + 1,
                        run->side.c_str(), static_cast<long long>(run->tokens), run->seconds,
                        run->rate(), run->phases.c_str());
            runs.push_back(*run);
        }
        ours.push_back(a.rate());
        peer.push_back(b.rate());
        ratios.push_back(a.rate() / b.rate());
        std::fflush(stdout);
    }
    const auto o = bench::spread(ours), p = bench::spread(peer), r = bench::spread(ratios);
    std::printf(
        "whole run tok/s: moewb %.0f (%.0f-%.0f), pytorch %.0f (%.0f-%.0f); "
        "moewb / pytorch %.2f (%.2f-%.2f)\n",
        o.median, o.low, o.high, p.median, p.low, p.high, r.median, r.low, r.high);
    std::ofstream csv(csvPath);
    csv << "round,side,tokens,seconds,tokens_per_second,phases\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        csv << i / 2 + 1 << "," << runs[i].side << "," << runs[i].tokens << "," << runs[i].seconds
            << "," << runs[i].rate() << ",\"" << runs[i].phases << "\"\n";
    }
    std::printf("wrote %s\n", csvPath.c_str());
    std::filesystem::remove_all(work);
}
