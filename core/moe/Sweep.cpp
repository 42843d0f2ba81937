#include "moewb/moe/Sweep.h"

#include "moewb/moe/MoeLayer.h"
#include "moewb/text/Bleu.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace moewb {
namespace {

std::vector<std::shared_ptr<MoeLayer>> makeLayers(
    const std::vector<std::shared_ptr<ExpertFfn>>& experts, const RouterSet& routers) {
    std::vector<std::shared_ptr<MoeLayer>> layers;
    for (std::size_t l = 0; l < experts.size(); ++l) {
        layers.push_back(
            std::make_shared<MoeLayer>(experts[l], routers.layers[l], experts[l]->numExperts()));
    }
    return layers;
}

struct Run {
    double seconds = 0, ffnSeconds = 0, bleu = 0;
};

// Translates with every layer at its K (K = N runs the dense product inside the same timing
// wrapper, so dense and MoE FFN times are measured alike).
Run translateWith(NmtModel& model, std::vector<std::shared_ptr<MoeLayer>>& layers, int encoderK,
                  int decoderK, int encoderLayers, const std::vector<std::string>& sources,
                  const std::vector<std::string>& references, const DecodeOptions& decoding,
                  Feedback& feedback) {
    for (std::size_t l = 0; l < layers.size(); ++l) {
        layers[l]->setK(static_cast<int>(l) < encoderLayers ? encoderK : decoderK);
        layers[l]->resetTiming();
    }
    installMoe(model.transformer(), layers);
    struct Remove {
        NmtModel& model;
        ~Remove() { removeMoe(model.transformer()); }
    } remove{model};
    const auto result = Translator(std::shared_ptr<NmtModel>(&model, [](NmtModel*) {
                        })).translate(sources, decoding, feedback);
    Run run;
    run.seconds = result.seconds;
    for (const auto& layer : layers) {
        run.ffnSeconds += layer->seconds();
    }
    run.bleu = corpusBleu(result.translations, references).score;
    return run;
}

std::vector<int> powersOfTwo(int n) {
    std::vector<int> ks;
    for (int k = 1; k <= n; k *= 2) {
        ks.push_back(k);
    }
    return ks;
}

double meanFfnError(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                    const RouterSet& routers, const std::vector<torch::Tensor>& inputs,
                    int encoderK, int decoderK, int encoderLayers) {
    if (inputs.empty()) {
        return 0.0;
    }
    for (const auto& router : routers.layers) {
        if (router->needsTokenIds()) {
            return std::numeric_limits<double>::quiet_NaN();  // FFN inputs alone carry no ids
        }
    }
    torch::NoGradGuard noGrad;
    double sum = 0;
    for (std::size_t l = 0; l < experts.size(); ++l) {
        const int k = static_cast<int>(l) < encoderLayers ? encoderK : decoderK;
        const auto& x = inputs[l];
        const auto reference = experts[l]->dense(x);
        const auto moe =
            k == experts[l]->numExperts()
                ? reference
                : experts[l]->forward(x, topExperts(routers.layers[l]->scores(x, *experts[l]), k));
        sum += ((moe - reference).norm(2, 1) / reference.norm(2, 1).clamp_min(1e-12))
                   .mean()
                   .item<double>();
    }
    return sum / static_cast<double>(experts.size());
}

// Field readers for fromJson: each names the document and the full path of the field
// ("rows[2].bleu") so a hand-edited or truncated file points the user at the exact spot.
const nlohmann::json& member(const nlohmann::json& object, const std::string& key,
                             const std::string& where) {
    if (!object.is_object()) {
        throw std::invalid_argument(where + ": expected an object");
    }
    const auto it = object.find(key);
    if (it == object.end()) {
        throw std::invalid_argument(where + ": missing field '" + key + "'");
    }
    return *it;
}

[[noreturn]] void mistyped(const std::string& where, const std::string& key, const char* expected,
                           const nlohmann::json& value) {
    throw std::invalid_argument(where + ": field '" + key + "' must be " + expected + " (found " +
                                value.type_name() + ")");
}

double numberField(const nlohmann::json& object, const std::string& key, const std::string& where) {
    const auto& value = member(object, key, where);
    if (!value.is_number()) {
        mistyped(where, key, "a number", value);
    }
    return value.get<double>();
}

int intField(const nlohmann::json& object, const std::string& key, const std::string& where) {
    const auto& value = member(object, key, where);
    if (!value.is_number_integer()) {
        mistyped(where, key, "an integer", value);
    }
    return value.get<int>();
}

std::string stringField(const nlohmann::json& object, const std::string& key,
                        const std::string& where) {
    const auto& value = member(object, key, where);
    if (!value.is_string()) {
        mistyped(where, key, "a string", value);
    }
    return value.get<std::string>();
}

const nlohmann::json& arrayField(const nlohmann::json& object, const std::string& key,
                                 const std::string& where) {
    const auto& value = member(object, key, where);
    if (!value.is_array()) {
        mistyped(where, key, "an array", value);
    }
    return value;
}

std::vector<int> intArrayField(const nlohmann::json& object, const std::string& key,
                               const std::string& where) {
    std::vector<int> values;
    const auto& array = arrayField(object, key, where);
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (!array[i].is_number_integer()) {
            mistyped(where, key + "[" + std::to_string(i) + "]", "an integer", array[i]);
        }
        values.push_back(array[i].get<int>());
    }
    return values;
}

SweepRow rowFromJson(const nlohmann::json& json, const std::string& where) {
    SweepRow row;
    row.encoderK = intField(json, "encoder_k", where);
    row.decoderK = intField(json, "decoder_k", where);
    row.bleu = numberField(json, "bleu", where);
    row.seconds = numberField(json, "seconds", where);
    row.ffnSeconds = numberField(json, "ffn_seconds", where);
    row.recall = numberField(json, "recall", where);
    row.ffnError = numberField(json, "ffn_error", where);
    return row;
}

}  // namespace

SweepResult runSweep(NmtModel& model, const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                     const RouterSet& routers, const ParallelCorpus& testSet,
                     const std::vector<torch::Tensor>& ffnInputs, const SweepOptions& options,
                     Feedback& feedback) {
    if (testSet.pairs.empty()) {
        throw std::invalid_argument("the sweep needs a test set with references");
    }
    const int n = experts.at(0)->numExperts();
    const int encoderLayers = model.config().encoderLayers;
    std::vector<std::string> sources, references;
    for (const auto& p : testSet.pairs) {
        sources.push_back(p.source);
        references.push_back(p.target);
    }
    const auto encoderKs = options.encoderKs.empty() ? powersOfTwo(n) : options.encoderKs;
    const auto decoderKs = options.decoderKs.empty() ? encoderKs : options.decoderKs;
    std::vector<std::pair<int, int>> settings;
    if (options.grid) {
        for (int e : encoderKs) {
            for (int d : decoderKs) {
                settings.emplace_back(e, d);
            }
        }
    } else {
        for (std::size_t i = 0; i < encoderKs.size(); ++i) {
            settings.emplace_back(encoderKs[i], i < decoderKs.size() ? decoderKs[i] : encoderKs[i]);
        }
    }
    auto layers = makeLayers(experts, routers);
    SweepResult result;
    result.partition = routers.partition;
    result.router = routers.kind;
    result.numExperts = n;
    Feedback quiet;
    const double steps = static_cast<double>(settings.size() + 1);
    feedback.setProgress(0.0, "dense reference run");
    {
        // Untimed warm-up: the first translation pays for allocator growth and thread start-up,
        // which would otherwise count against the dense run alone.
        const std::size_t warm = std::min<std::size_t>(8, sources.size());
        const std::vector<std::string> few(sources.begin(), sources.begin() + warm);
        translateWith(model, layers, n, n, encoderLayers, few,
                      std::vector<std::string>(references.begin(), references.begin() + warm),
                      options.decoding, quiet);
    }
    const Run dense = translateWith(model, layers, n, n, encoderLayers, sources, references,
                                    options.decoding, quiet);
    result.dense = {0, 0, dense.bleu, dense.seconds, dense.ffnSeconds, 1.0, 0.0};
    for (std::size_t i = 0; i < settings.size(); ++i) {
        feedback.throwIfCancelled();
        const auto [e, d] = settings[i];
        feedback.setProgress((i + 1) / steps, "encoder K = " + std::to_string(e) +
                                                  ", decoder K = " + std::to_string(d));
        const Run run = translateWith(model, layers, e, d, encoderLayers, sources, references,
                                      options.decoding, quiet);
        SweepRow row{e, d, run.bleu, run.seconds, run.ffnSeconds, 0.0, 0.0};
        for (std::size_t l = 0; l < routers.quality.size(); ++l) {
            const int k = static_cast<int>(l) < encoderLayers ? e : d;
            row.recall += routers.quality[l].recall.at(k - 1) / routers.quality.size();
        }
        row.ffnError = meanFfnError(experts, routers, ffnInputs, e, d, encoderLayers);
        result.rows.push_back(row);
    }
    feedback.setProgress(1.0, "sweep done");
    return result;
}

nlohmann::json SweepResult::toJson() const {
    auto rowJson = [](const SweepRow& r) {
        return nlohmann::json{
            {"encoder_k", r.encoderK}, {"decoder_k", r.decoderK},     {"bleu", r.bleu},
            {"seconds", r.seconds},    {"ffn_seconds", r.ffnSeconds}, {"recall", r.recall},
            {"ffn_error", r.ffnError}};
    };
    nlohmann::json rowsJson = nlohmann::json::array();
    for (const auto& r : rows) {
        rowsJson.push_back(rowJson(r));
    }
    return {{"partition", partition},
            {"router", router},
            {"num_experts", numExperts},
            {"dense", rowJson(dense)},
            {"rows", rowsJson}};
}

SweepResult SweepResult::fromJson(const nlohmann::json& json) {
    const std::string where = "sweep JSON";
    SweepResult result;
    result.partition = stringField(json, "partition", where);
    result.router = stringField(json, "router", where);
    result.numExperts = intField(json, "num_experts", where);
    result.dense = rowFromJson(member(json, "dense", where), where + " 'dense'");
    const auto& rows = arrayField(json, "rows", where);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        result.rows.push_back(rowFromJson(rows[i], where + " 'rows[" + std::to_string(i) + "]'"));
    }
    return result;
}

std::string SweepResult::toCsv() const {
    std::ostringstream out;
    out << "partition,router,encoder_k,decoder_k,bleu,seconds,ffn_seconds,speedup,ffn_speedup,"
           "recall,ffn_error\n";
    auto line = [&](const SweepRow& r) {
        char text[256];
        std::snprintf(text, sizeof text, "%s,%s,%d,%d,%.2f,%.4f,%.4f,%.3f,%.3f,%.4f,%.4f\n",
                      partition.c_str(), router.c_str(), r.encoderK, r.decoderK, r.bleu, r.seconds,
                      r.ffnSeconds, dense.seconds / r.seconds, dense.ffnSeconds / r.ffnSeconds,
                      r.recall, r.ffnError);
        out << text;
    };
    line(dense);
    for (const auto& r : rows) {
        line(r);
    }
    return out.str();
}

ComparisonTable runComparisonTable(NmtModel& model,
                                   const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                                   const RouterSet& routers, const ParallelCorpus& testSet,
                                   const std::vector<int>& sentenceCounts,
                                   const std::vector<int>& ks, const DecodeOptions& decoding,
                                   Feedback& feedback) {
    const int n = experts.at(0)->numExperts();
    auto layers = makeLayers(experts, routers);
    ComparisonTable table;
    table.sentenceCounts = sentenceCounts;
    table.ks = ks;
    table.partition = routers.partition;
    table.router = routers.kind;
    table.numExperts = n;
    table.decoding = decoding;
    Feedback quiet;
    for (std::size_t s = 0; s < sentenceCounts.size(); ++s) {
        const std::size_t count = std::min<std::size_t>(sentenceCounts[s], testSet.pairs.size());
        std::vector<std::string> sources, references;
        for (std::size_t i = 0; i < count; ++i) {
            sources.push_back(testSet.pairs[i].source);
            references.push_back(testSet.pairs[i].target);
        }
        std::vector<ComparisonCell> row;
        for (int c = 0; c <= static_cast<int>(ks.size()); ++c) {
            feedback.throwIfCancelled();
            const int k = c == 0 ? n : ks[c - 1];
            const Run run = translateWith(model, layers, k, k, model.config().encoderLayers,
                                          sources, references, decoding, quiet);
            row.push_back({run.seconds, run.bleu});
        }
        table.cells.push_back(row);
        feedback.setProgress(double(s + 1) / sentenceCounts.size(),
                             "comparison table: " + std::to_string(count) + " sentences");
    }
    return table;
}

std::string ComparisonTable::toText() const {
    std::ostringstream out;
    char text[64];
    out << "sentences | dense          ";
    for (int k : ks) {
        std::snprintf(text, sizeof text, "| K=%-2d           ", k);
        out << text;
    }
    out << "\n";
    for (std::size_t s = 0; s < cells.size(); ++s) {
        std::snprintf(text, sizeof text, "%9d ", sentenceCounts[s]);
        out << text;
        for (const auto& cell : cells[s]) {
            std::snprintf(text, sizeof text, "| %6.3fs %5.1f  ", cell.seconds, cell.bleu);
            out << text;
        }
        out << "\n";
    }
    out << "(time in seconds, BLEU; same run, same batch settings)\n";
    return out.str();
}

nlohmann::json ComparisonTable::toJson() const {
    nlohmann::json cellsJson = nlohmann::json::array();
    for (const auto& row : cells) {
        nlohmann::json rowJson = nlohmann::json::array();
        for (const auto& cell : row) {
            rowJson.push_back({{"seconds", cell.seconds}, {"bleu", cell.bleu}});
        }
        cellsJson.push_back(rowJson);
    }
    return {{"partition", partition},
            {"router", router},
            {"num_experts", numExperts},
            {"sentence_counts", sentenceCounts},
            {"ks", ks},
            {"decoding",
             {{"beam_size", decoding.beamSize},
              {"length_penalty", decoding.lengthPenalty},
              {"max_length", decoding.maxLength},
              {"max_length_ratio", decoding.maxLengthRatio},
              {"batch_size", decoding.batchSize}}},
            {"cells", cellsJson}};
}

ComparisonTable ComparisonTable::fromJson(const nlohmann::json& json) {
    const std::string where = "comparison table JSON";
    ComparisonTable table;
    table.partition = stringField(json, "partition", where);
    table.router = stringField(json, "router", where);
    table.numExperts = intField(json, "num_experts", where);
    table.sentenceCounts = intArrayField(json, "sentence_counts", where);
    table.ks = intArrayField(json, "ks", where);
    const auto& decoding = member(json, "decoding", where);
    const std::string decodingWhere = where + " 'decoding'";
    table.decoding.beamSize = intField(decoding, "beam_size", decodingWhere);
    table.decoding.lengthPenalty = numberField(decoding, "length_penalty", decodingWhere);
    table.decoding.maxLength = intField(decoding, "max_length", decodingWhere);
    table.decoding.maxLengthRatio = numberField(decoding, "max_length_ratio", decodingWhere);
    table.decoding.batchSize = intField(decoding, "batch_size", decodingWhere);
    const auto& rows = arrayField(json, "cells", where);
    if (rows.size() != table.sentenceCounts.size()) {
        throw std::invalid_argument(where + ": 'cells' has " + std::to_string(rows.size()) +
                                    " rows but 'sentence_counts' has " +
                                    std::to_string(table.sentenceCounts.size()) + " entries");
    }
    for (std::size_t s = 0; s < rows.size(); ++s) {
        const std::string rowWhere = where + " 'cells[" + std::to_string(s) + "]'";
        if (!rows[s].is_array() || rows[s].size() != table.ks.size() + 1) {
            throw std::invalid_argument(rowWhere + ": expected an array of " +
                                        std::to_string(table.ks.size() + 1) +
                                        " cells (dense, then one per K)");
        }
        std::vector<ComparisonCell> row;
        for (std::size_t c = 0; c < rows[s].size(); ++c) {
            const std::string cellWhere =
                where + " 'cells[" + std::to_string(s) + "][" + std::to_string(c) + "]'";
            row.push_back({numberField(rows[s][c], "seconds", cellWhere),
                           numberField(rows[s][c], "bleu", cellWhere)});
        }
        table.cells.push_back(row);
    }
    return table;
}

}  // namespace moewb
