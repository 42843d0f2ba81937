// Translation speed of a model: sentences/s and target tokens/s for greedy and beam 4 at batch 1
// and batch 32, on the built-in demo set and (when present) Multi30k test_2016_flickr; plus the
// classic "10 sentences greedy at batch 10" figure. Writes a CSV.
//
// usage: translate_bench [--model M] [--csv out.csv] [--repeats 3]
#include "moewb/corpus/DemoSet.h"
#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/nmt/Translator.h"
#include "moewb/text/Bleu.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"
#include "moewb/util/TorchRuntime.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

using namespace moewb;

namespace {

struct Row {
    std::string data, decoding;
    int batch = 0;
    std::size_t sentences = 0;
    double seconds = 0, bleu = 0;
    int64_t targetTokens = 0;
};

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
    row.seconds = 1e30;
    for (int r = 0; r < repeats; ++r) {  // best of `repeats`: the machine is shared
        const auto result = translator.translate(sources, options, quiet);
        row.seconds = std::min(row.seconds, result.seconds);
        row.targetTokens = result.targetTokens;
        row.bleu = corpusBleu(result.translations, references).score;
    }
    std::printf("%-22s %-7s batch %-3d %5zu sent  %8.3f s  %7.1f sent/s  %8.0f tok/s  BLEU %.2f\n",
                name.c_str(), row.decoding.c_str(), batch, row.sentences, row.seconds,
                row.sentences / row.seconds, row.targetTokens / row.seconds, row.bleu);
    std::fflush(stdout);
    return row;
}

}  // namespace

int main(int argc, char** argv) {
    std::string modelPath, csvPath = "translate_bench.csv";
    int repeats = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--model"))
            modelPath = argv[i + 1];
        if (!std::strcmp(argv[i], "--csv"))
            csvPath = argv[i + 1];
        if (!std::strcmp(argv[i], "--repeats"))
            repeats = std::atoi(argv[i + 1]);
    }
    configureTorchThreads(0);
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
        "data,decoding,batch,sentences,seconds,sentences_per_s,target_tokens_per_s,bleu\n";
    for (const auto& r : rows) {
        char line[256];
        std::snprintf(line, sizeof line, "%s,%s,%d,%zu,%.4f,%.2f,%.1f,%.2f\n", r.data.c_str(),
                      r.decoding.c_str(), r.batch, r.sentences, r.seconds, r.sentences / r.seconds,
                      r.targetTokens / r.seconds, r.bleu);
        csv += line;
    }
    writeFileAtomic(csvPath, csv);
    std::printf("wrote %s\n", csvPath.c_str());
    return 0;
}
