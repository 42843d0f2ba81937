// Writes the binary and JSON seeds of tests/fuzz/corpus with the code that writes the real
// files, on the tiny sizes of TinyArtifacts.h, so the seeds stay small (a few KB each) and
// follow format changes: run `build-fuzz/bin/make_fuzz_seeds tests/fuzz/corpus` after one.
// The text seeds (corpora, tokenizer) are cut from real files by hand.
#include "TinyArtifacts.h"

#include "moewb/moe/MoeFinetuner.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/moe/Sweep.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/JsonFile.h"

#include <filesystem>
#include <iostream>

namespace {

using namespace moewb;

// ---- A SentencePiece model without its 230 KB normalisation table ----
// The tokenizer is a serialised ModelProto; its normalizer_spec (field 3) holds the table as
// precompiled_charsmap (field 2). Dropping it (and naming the rule "identity", which is what an
// empty table means) leaves a valid model of about 1 KB.

uint64_t readVarint(const std::string& bytes, std::size_t& pos) {
    uint64_t value = 0;
    for (int shift = 0; pos < bytes.size() && shift < 64; shift += 7) {
        const auto byte = static_cast<unsigned char>(bytes[pos++]);
        value |= uint64_t(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            return value;
        }
    }
    throw std::runtime_error("bad varint in the SentencePiece model");
}

void writeVarint(std::string& out, uint64_t value) {
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7F) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

// Copies the fields of a protobuf message, letting `edit` replace (or, returning false, drop)
// each length-delimited field's bytes.
template <typename Edit>
std::string rewriteMessage(const std::string& message, Edit edit) {
    std::string out;
    std::size_t pos = 0;
    while (pos < message.size()) {
        const std::size_t keyStart = pos;
        const uint64_t key = readVarint(message, pos);
        const int field = static_cast<int>(key >> 3), wireType = static_cast<int>(key & 7);
        if (wireType == 2) {
            const uint64_t length = readVarint(message, pos);
            std::string value = message.substr(pos, length);
            pos += length;
            if (edit(field, value)) {
                writeVarint(out, key);
                writeVarint(out, value.size());
                out += value;
            }
            continue;
        }
        if (wireType == 0) {
            readVarint(message, pos);
        } else if (wireType == 1 || wireType == 5) {
            pos += wireType == 1 ? 8 : 4;
        } else {
            throw std::runtime_error("unexpected wire type in the SentencePiece model");
        }
        out.append(message, keyStart, pos - keyStart);
    }
    return out;
}

SentencePieceModel smallTokenizer() {
    const std::vector<std::string> text = {
        "Ein Mann fährt Fahrrad.",    "A man rides a bicycle.",    "Zwei Hunde spielen im Park.",
        "Two dogs play in the park.", "Eine Frau liest ein Buch.", "A woman reads a book."};
    Feedback feedback;
    SentencePieceTrainOptions options;
    options.vocabSize = 48;
    options.characterCoverage = 1.0;
    const auto trained = SentencePieceModel::train(text, options, feedback);
    const std::string small = rewriteMessage(trained.serialize(), [](int field, std::string& v) {
        if (field == 3) {  // normalizer_spec
            v = rewriteMessage(v, [](int inner, std::string& w) {
                if (inner == 1) {
                    w = "identity";
                }
                return inner != 2;  // drop precompiled_charsmap
            });
        }
        return true;
    });
    return SentencePieceModel::fromBytes(small);
}

// ---- The seeds ----

std::string g_root;

std::string seedPath(const std::string& target, const std::string& name) {
    std::filesystem::create_directories(g_root + "/" + target);
    return g_root + "/" + target + "/" + name;
}

void modelSeeds() {
    torch::manual_seed(1);
    auto tokenizer = smallTokenizer();
    TransformerConfig config;
    config.vocabSize = tokenizer.vocabSize();
    config.dModel = fuzz::kDModel;
    config.heads = 2;
    config.encoderLayers = 1;
    config.decoderLayers = 1;
    config.dFf = fuzz::kDFf;
    config.dropout = 0.0;
    config.maxPositions = 16;
    NmtModel model(config, std::move(tokenizer));
    model.record() = {{"note", "fuzz seed"}, {"training_seconds", 1.5}};
    model.save(seedPath("fuzz_model_file", "tiny-f32.moewb"), WeightPrecision::Float32);
    model.save(seedPath("fuzz_model_file", "tiny-f16.moewb"), WeightPrecision::Float16);
}

void profileSeed() {
    ProfileResult profile;
    profile.sourceTokens = 6;
    profile.targetTokens = 4;
    profile.sentences = 2;
    for (const char* name : {"encoder0", "decoder0"}) {
        LayerProfile layer;
        layer.name = name;
        layer.dFf = fuzz::kDFf;
        layer.tokens = 5;
        layer.coActivation.assign(fuzz::kDFf * fuzz::kDFf, 0);
        for (int i = 0; i < fuzz::kDFf; ++i) {
            layer.activations.push_back(i % 6);
            for (int j = 0; j < fuzz::kDFf; ++j) {
                layer.coActivation[i * fuzz::kDFf + j] = std::min(i % 6, j % 6);
            }
        }
        profile.layers.push_back(layer);
    }
    saveProfile(seedPath("fuzz_profile", "tiny.bin"), profile);
}

void partitionSeeds() {
    auto set = fuzz::tinyPartitionSet();
    savePartitionSet(seedPath("fuzz_partition", "random.json"), set);
    // Importance style: 4 shared neurons, 4 experts of 3.
    set.method = "importance";
    for (auto& layer : set.layers) {
        layer.method = "importance";
        layer.shared.clear();
        for (auto& expert : layer.experts) {
            layer.shared.push_back(expert.back());
            expert.pop_back();
        }
    }
    savePartitionSet(seedPath("fuzz_partition", "shared.json"), set);
}

void routerSeeds() {
    const auto experts = fuzz::tinyExperts(fuzz::tinyPartitionSet());
    for (const std::string kind : {"mlp", "similarity", "hash", "oracle"}) {
        RouterSet set;
        set.kind = kind;
        set.partition = "random";
        for (std::size_t l = 0; l < experts.size(); ++l) {
            if (kind == "mlp") {
                set.layers.push_back(std::make_shared<MlpRouter>(*experts[l]));
            } else if (kind == "similarity") {
                set.layers.push_back(std::make_shared<SimilarityRouter>(*experts[l]));
            } else if (kind == "hash") {
                set.layers.push_back(std::make_shared<HashRouter>(1 + l, fuzz::kExperts));
            } else {
                set.layers.push_back(std::make_shared<OracleRouter>());
            }
            set.quality.push_back({{0.5, 0.75, 1.0, 1.0},
                                   {0.6, 0.8, 0.95, 1.0},
                                   {{0.25, 0.25, 0.25, 0.25}, {0.5, 0.5, 0.5, 0.5}},
                                   {0.0, 0.1}});
        }
        if (kind == "mlp") {
            set.model = "models/tiny.moewb";
        }
        saveRouterSet(seedPath("fuzz_router", kind + ".json"), set);
    }
}

void sweepSeeds() {
    SweepResult sweep;
    sweep.partition = "random";
    sweep.router = "random-mlp";
    sweep.numExperts = fuzz::kExperts;
    sweep.dense = {};
    sweep.dense.bleu = 30.5;
    sweep.dense.seconds = 2.0;
    sweep.dense.ffnSeconds = 0.8;
    sweep.dense.targetTokens = 120;
    for (int k : {1, 2, 4}) {
        SweepRow row;
        row.encoderK = row.decoderK = k;
        row.bleu = 10.0 * k;
        row.seconds = 1.0 + 0.2 * k;
        row.ffnSeconds = 0.1 * k;
        row.recall = 0.25 * k;
        row.ffnError = 0.5 / k;
        row.speedup = 2.0 / row.seconds;
        row.speedupSpread = 0.05;
        row.targetTokens = 118;
        row.rounds = 3;
        row.compute = k / 4.0;
        sweep.rows.push_back(row);
    }
    SweepRow dynamic = sweep.rows.back();
    dynamic.threshold = 0.4;
    sweep.rows.push_back(dynamic);
    writeFileAtomic(seedPath("fuzz_sweep", "sweep.json"), sweep.toJson().dump(1));

    ComparisonTable table;
    table.sentenceCounts = {10, 20};
    table.ks = {1, 2};
    table.partition = "random";
    table.router = "random-mlp";
    table.numExperts = fuzz::kExperts;
    for (int s = 0; s < 2; ++s) {
        std::vector<ComparisonCell> row(3);
        for (int c = 0; c < 3; ++c) {
            row[c].seconds = 1.0 + s - 0.1 * c;
            row[c].bleu = 20.0 + c;
            row[c].speedup = 1.0 + 0.1 * c;
            row[c].targetTokens = 50 * (s + 1);
            row[c].rounds = 3;
        }
        table.cells.push_back(row);
    }
    writeFileAtomic(seedPath("fuzz_sweep", "comparison.json"), table.toJson().dump(1));
}

void projectSeeds() {
    const std::string folder = g_root + "/.project-tmp";
    std::filesystem::remove_all(folder);
    Project project = Project::create(folder, "models/tiny.moewb");
    project.stepOptions("partition") = {{"method", "metis"}, {"experts", 16}};
    project.stepOptions("route") = {{"router", "mlp"}, {"partition", "metis"}};
    project.save();
    std::filesystem::copy_file(folder + "/project.json", seedPath("fuzz_project", "project.json"),
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove_all(folder);
}

void finetuneStateSeed() {
    // As MoeFinetuner.cpp writes it: one curve point is [step, seconds, k, loss, kd, ce, mse,
    // bleu, tokens per second].
    const Json curve = {{10, 5.5, 2, 3.2, 1.1, 2.1, 0.0, -1, 900.0},
                        {20, 11.0, 4, 2.9, 1.0, 1.9, 0.01, 24.5, 910.0}};
    writeJsonFile(seedPath("fuzz_finetune_state", "state.json"),
                  {{"step", 20}, {"epoch", 1}, {"batch", 7}, {"seconds", 11.0}, {"curve", curve}},
                  "moewb-finetune-state", 1);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_fuzz_seeds CORPUS_FOLDER (tests/fuzz/corpus)\n";
        return 2;
    }
    g_root = argv[1];
    try {
        modelSeeds();
        profileSeed();
        partitionSeeds();
        routerSeeds();
        sweepSeeds();
        projectSeeds();
        finetuneStateSeed();
    } catch (const std::exception& e) {
        std::cerr << "make_fuzz_seeds: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
