// Translation speed of a model: sentences/s and target tokens/s for greedy and beam 4 at batch 1
// and batch 32, on the built-in demo set and (when present) Multi30k test_2016_flickr; plus the
// classic "10 sentences greedy at batch 10" figure. Then the MoE rows: dense, K = N, N/4 and N/2
// with an MLP router timed in interleaved rounds (moewb/util/InterleavedTiming.h); each speed-up is
// the median of per-round dense / MoE ratios ± the farthest round, by wall clock and per target
// token; K = N must read 1.00 within its spread. Also the FFN share f of dense time (K = N runs
// the dense FFN inside the timed MoE layer) and the Amdahl bound 1 / (1 - f (1 - K/N)). Every
// time is a median over rounds: the VMs here drift by up to 1.6× within seconds. Writes a CSV.
//
// usage: translate_bench [--model M] [--csv out.csv] [--repeats 5]  (timed rounds at most)
//                        [--project P --router NAME]   (else: k-means N=16 + MLP router built
//                                                       here on 20 000 Ding training tokens)
#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/Translator.h"
#include "moewb/project/Project.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/InterleavedTiming.h"
#include "moewb/util/Paths.h"
#include "moewb/util/TorchRuntime.h"
#include "moewb/workflow/ProjectMoe.h"
#include "moewb/workflow/ProjectSteps.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

using namespace moewb;

namespace {

struct Row {
    std::string data, decoding;
    int batch = 0;
    std::size_t sentences = 0;
    double seconds = 0, bleu = 0;
    int64_t targetTokens = 0;
    int rounds = 0;
};

InterleavedTimingOptions timingOptions(int repeats) {
    InterleavedTimingOptions timing;
    timing.maxRounds = std::max(1, repeats);
    timing.minRounds = std::min(timing.minRounds, timing.maxRounds);
    return timing;
}

Row run(Translator& translator, const std::string& name, const ParallelCorpus& corpus, int beam,
        int batch, int repeats) {
    std::vector<std::string> sources, references;
    for (const auto& p : corpus.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    DecodeOptions options;
    options.beamSize = beam;
    options.batchSize = batch;
    Feedback quiet;
    Row row{name, beam == 1 ? "greedy" : "beam" + std::to_string(beam), batch, sources.size()};
    TranslationResult last;
    const auto timing = timeInterleaved({[&] {
                                            last = translator.translate(sources, options, quiet);
                                            return last.seconds;
                                        }},
                                        timingOptions(repeats), quiet);
    row.seconds = timing.medianSeconds[0];
    row.rounds = timing.rounds;
    row.targetTokens = last.targetTokens;
    row.bleu = corpusBleu(last.translations, references).score;
    std::printf(
        "%-22s %-7s batch %-3d %5zu sent  %8.3f s  %7.1f sent/s  %8.0f tok/s  BLEU %.2f  "
        "(median of %d)\n",
        name.c_str(), row.decoding.c_str(), batch, row.sentences, row.seconds,
        row.sentences / row.seconds, row.targetTokens / row.seconds, row.bleu, row.rounds);
    std::fflush(stdout);
    return row;
}

struct MoeRow {
    std::string data;
    int k = 0, n = 0;
    double denseSeconds = 0, moeSeconds = 0, ffnShare = 0, bound = 0, bleu = 0, denseBleu = 0;
    int64_t denseTokens = 0, moeTokens = 0;
    TimingRatio speedup, tokenSpeedup;
    int rounds = 0;
};

// Dense, K = N, N/4 and N/2 in interleaved rounds, so a burst of load on this shared machine hits
// all of them alike and cancels in each round's ratios.
// A fine-tuned MoE runs its own model against the dense model it came from.
std::vector<MoeRow> moeRows(Translator& translator, const ProjectMoe& moe, const std::string& name,
                            const ParallelCorpus& corpus, int repeats) {
    std::vector<std::string> sources, references;
    for (const auto& p : corpus.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    DecodeOptions options;  // greedy, batch 32
    const int n = moe.numExperts();
    auto layers = makeMoeLayers(moe.experts, *moe.routers, 0, n, n);
    const Translator moeTranslator(moe.model);
    Feedback quiet;
    const std::vector<int> ks = {n, n / 4, n / 2};  // K = N first: the check that reads 1.00
    TranslationResult dense;
    std::vector<TranslationResult> results(ks.size());
    std::vector<double> fullShare;  // FFN share of the K = N run, per call
    std::vector<TimedVariant> variants = {[&] {
        dense = translator.translate(sources, options, quiet);
        return dense.seconds;
    }};
    for (std::size_t i = 0; i < ks.size(); ++i) {
        variants.push_back([&, i] {
            for (auto& layer : layers) {
                layer->setK(ks[i]);
                layer->resetTiming();
            }
            // The plan goes with the call: the model itself is never modified.
            const FfnPlan plan = makeMoePlan(layers);
            results[i] = moeTranslator.translate(sources, options, quiet, &plan);
            if (ks[i] == n) {
                double ffn = 0;
                for (auto& layer : layers) {
                    ffn += layer->seconds();
                }
                fullShare.push_back(std::min(1.0, ffn / results[i].seconds));
            }
            return results[i].seconds;
        });
    }
    const auto timing = timeInterleaved(variants, timingOptions(repeats), quiet);
    // The share of the timed K = N rounds (the last `rounds` calls).
    const double share =
        medianOf(std::vector<double>(fullShare.end() - timing.rounds, fullShare.end()));
    const double denseBleu = corpusBleu(dense.translations, references).score;
    std::vector<MoeRow> rows;
    for (std::size_t i = 0; i < ks.size(); ++i) {
        const int k = ks[i];
        MoeRow row{name, k, n};
        row.denseSeconds = timing.medianSeconds[0];
        row.moeSeconds = timing.medianSeconds[i + 1];
        row.ffnShare = share;
        row.bound = 1.0 / (1.0 - share * (1.0 - double(k) / n));
        row.bleu = corpusBleu(results[i].translations, references).score;
        row.denseBleu = denseBleu;
        row.denseTokens = dense.targetTokens;
        row.moeTokens = results[i].targetTokens;
        row.speedup = timing.speedups[i + 1];
        // Per target token too: a sparse model may stop earlier or later than the dense one.
        row.tokenSpeedup = row.speedup.scaled(double(row.moeTokens) /
                                              double(std::max<int64_t>(row.denseTokens, 1)));
        row.rounds = timing.rounds;
        std::printf(
            "%-22s K=%2d/%d  dense %.3f s  MoE %.3f s  speedup %s (per token %s, %d rounds)  "
            "FFN share %.1f%%  bound %.2fx  -> %.2f of bound  BLEU %.2f (dense %.2f)\n",
            name.c_str(), k, n, row.denseSeconds, row.moeSeconds, row.speedup.text().c_str(),
            row.tokenSpeedup.text().c_str(), row.rounds, 100 * share, row.bound,
            row.tokenSpeedup.median / row.bound, row.bleu, denseBleu);
        std::fflush(stdout);
        rows.push_back(row);
    }
    return rows;
}

}  // namespace

int main(int argc, char** argv) {
    std::string modelPath, csvPath = "translate_bench.csv", projectPath, routerName;
    int repeats = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--model"))
            modelPath = argv[i + 1];
        if (!std::strcmp(argv[i], "--csv"))
            csvPath = argv[i + 1];
        if (!std::strcmp(argv[i], "--repeats"))
            repeats = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--project"))
            projectPath = argv[i + 1];
        if (!std::strcmp(argv[i], "--router"))
            routerName = argv[i + 1];
    }
    configureTorchThreads(0);
    std::optional<Project> project;
    if (!projectPath.empty()) {
        project = Project::open(projectPath);
        modelPath = project->modelPath();
    }
    if (modelPath.empty()) {
        modelPath = NmtModel::defaultModelPath();
    }
    auto model = NmtModel::load(modelPath);
    Translator translator(model);
    std::printf("model %s, %d torch threads\n", modelPath.c_str(), measureBlas(256).threads);
    std::vector<std::pair<std::string, ParallelCorpus>> sets = {{"demo", loadDemoSet()}};
    const std::string m30k = std::string(MOEWB_SHARED_DIR) + "/data/multi30k/test_2016_flickr";
    if (fileExists(m30k + ".de")) {
        Feedback quiet;
        sets.emplace_back("multi30k-test2016", readMosesCorpus(m30k + ".de", m30k + ".en", quiet));
    } else {
        std::printf("(Multi30k test_2016_flickr not found at %s: demo set only)\n", m30k.c_str());
    }
    std::vector<Row> rows;
    ParallelCorpus ten = sets[0].second;
    ten.pairs.resize(10);
    rows.push_back(run(translator, "demo-first10", ten, 1, 10, repeats));
    for (const auto& [name, corpus] : sets) {
        for (int beam : {1, 4}) {
            for (int batch : {1, 32}) {
                // batch 1 over 1000 sentences takes long: time the first 200 of large sets.
                ParallelCorpus data = corpus;
                if (batch == 1 && data.pairs.size() > 200) {
                    data.pairs.resize(200);
                }
                rows.push_back(run(
                    translator, name + (data.pairs.size() < corpus.pairs.size() ? "-first200" : ""),
                    data, beam, batch, batch == 1 ? 1 : repeats));
            }
        }
    }
    std::string csv =
        "data,decoding,batch,sentences,seconds,sentences_per_s,target_tokens_per_s,bleu,rounds\n";
    for (const auto& r : rows) {
        char line[256];
        std::snprintf(line, sizeof line, "%s,%s,%d,%zu,%.4f,%.2f,%.1f,%.2f,%d\n", r.data.c_str(),
                      r.decoding.c_str(), r.batch, r.sentences, r.seconds, r.sentences / r.seconds,
                      r.targetTokens / r.seconds, r.bleu, r.rounds);
        csv += line;
    }
    // MoE rows.
    ProjectMoe loaded;
    if (project && !routerName.empty()) {
        loaded = loadProjectMoe(*project, routerName, model);
        std::printf("MoE: router %s over %s%s\n", routerName.c_str(), loaded.partitionName.c_str(),
                    loaded.fineTuned ? " (fine-tuned model)" : "");
    } else {
        Feedback quiet;
        const auto train = loadTrainingData(CorpusSource{}, quiet);
        ModelPartitionOptions partition;
        partition.method = "kmeans";
        const auto set = partitionModel(*model, nullptr, partition, quiet);
        loaded.model = model;
        loaded.experts = buildExperts(*model, set);
        const auto inputs = collectFfnInputs(*model, train.pairs, 20000, quiet);
        loaded.routers = std::make_shared<const RouterSet>(
            trainRouters(loaded.experts, inputs, RouterTrainingOptions{}, quiet));
        std::printf("MoE: k-means N = 16, MLP router trained here on 20 000 Ding tokens\n");
    }
    std::vector<MoeRow> moe;
    for (const auto& [name, corpus] : sets) {
        for (const auto& row : moeRows(translator, loaded, name, corpus, repeats)) {
            moe.push_back(row);
        }
    }
    csv +=
        "\ndata,k,n,dense_seconds,moe_seconds,speedup,speedup_spread,dense_target_tokens,"
        "moe_target_tokens,token_speedup,token_speedup_spread,rounds,ffn_share,amdahl_bound,"
        "token_speedup_over_bound,bleu,dense_bleu\n";
    for (const auto& r : moe) {
        char line[384];
        std::snprintf(line, sizeof line,
                      "%s,%d,%d,%.4f,%.4f,%.3f,%.3f,%lld,%lld,%.3f,%.3f,%d,%.4f,%.3f,%.3f,%.2f,"
                      "%.2f\n",
                      r.data.c_str(), r.k, r.n, r.denseSeconds, r.moeSeconds, r.speedup.median,
                      r.speedup.spread, (long long)r.denseTokens, (long long)r.moeTokens,
                      r.tokenSpeedup.median, r.tokenSpeedup.spread, r.rounds, r.ffnShare, r.bound,
                      r.tokenSpeedup.median / r.bound, r.bleu, r.denseBleu);
        csv += line;
    }
    writeFileAtomic(csvPath, csv);
    std::printf("wrote %s\n", csvPath.c_str());
    return 0;
}
