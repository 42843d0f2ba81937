// The sweep and comparison-table files: JSON (format_version 3; versions 1 and 2 still load;
// docs/formats.md, "Sweep file"), CSV and the plain-text table.
#include "moewb/moe/Sweep.h"

#include "moewb/util/JsonFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace moewb {
namespace {

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
    try {
        return jsonInteger<int>(value, key);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where + ": " + e.what());
    }
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
        try {
            values.push_back(jsonInteger<int>(array[i], key));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(where + ": " + e.what());
        }
    }
    return values;
}

// Fields added in format 2 default to what a version-1 file implies: one timing, no spread,
// unknown token counts.
double optionalNumber(const nlohmann::json& object, const std::string& key, double fallback,
                      const std::string& where) {
    return object.is_object() && object.contains(key) ? numberField(object, key, where) : fallback;
}

int64_t optionalCount(const nlohmann::json& object, const std::string& key,
                      const std::string& where) {
    if (!object.is_object() || !object.contains(key)) {
        return 0;
    }
    const auto& value = object.at(key);
    if (!value.is_number_integer()) {
        mistyped(where, key, "an integer", value);
    }
    try {
        return jsonInteger<int64_t>(value, key);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where + ": " + e.what());
    }
}

// Timed rounds (format 2 on; 1 before): a whole number >= 1, written as an integer but read as
// any number, as older files were.
int optionalRounds(const nlohmann::json& object, const std::string& where) {
    const double rounds = optionalNumber(object, "rounds", 1.0, where);
    if (!(rounds >= 1.0 && rounds <= 1e6)) {
        throw std::invalid_argument(where + ": field 'rounds' must be from 1 to 1000000, not " +
                                    member(object, "rounds", where).dump());
    }
    return static_cast<int>(rounds);
}

// A string field added after version 3 shipped (the parents' hashes): "" when absent.
std::string optionalString(const nlohmann::json& json, const std::string& key,
                           const std::string& where) {
    return json.contains(key) ? stringField(json, key, where) : std::string();
}

// Reads "format_version" (absent: 1) and refuses a newer one than this program writes.
int formatVersion(const nlohmann::json& json, const std::string& where) {
    if (!json.is_object() || !json.contains("format_version")) {
        return 1;
    }
    const int version = intField(json, "format_version", where);
    if (version > kSweepFormatVersion || version < 1) {
        throw std::invalid_argument(where + ": format_version " + std::to_string(version) +
                                    " is not supported (this program reads versions 1 to " +
                                    std::to_string(kSweepFormatVersion) +
                                    "); update MoE Workbench or re-run the sweep");
    }
    return version;
}

SweepRow rowFromJson(const nlohmann::json& json, const std::string& where, double denseSeconds = 0,
                     double denseFfnSeconds = 0) {
    SweepRow row;
    row.encoderK = intField(json, "encoder_k", where);
    row.decoderK = intField(json, "decoder_k", where);
    row.bleu = numberField(json, "bleu", where);
    row.seconds = numberField(json, "seconds", where);
    row.ffnSeconds = numberField(json, "ffn_seconds", where);
    row.recall = numberField(json, "recall", where);
    // A hash router's rows measure no FFN error (NaN, written as null): read null back as NaN.
    row.ffnError = member(json, "ffn_error", where).is_null()
                       ? std::numeric_limits<double>::quiet_NaN()
                       : numberField(json, "ffn_error", where);
    // Version 1 timed each setting once: its speed-ups are plain ratios of those times.
    const double speedup = denseSeconds > 0 && row.seconds > 0 ? denseSeconds / row.seconds : 1.0;
    const double ffnSpeedup =
        denseFfnSeconds > 0 && row.ffnSeconds > 0 ? denseFfnSeconds / row.ffnSeconds : 1.0;
    row.speedup = optionalNumber(json, "speedup", speedup, where);
    row.speedupSpread = optionalNumber(json, "speedup_spread", 0.0, where);
    row.ffnSpeedup = optionalNumber(json, "ffn_speedup", ffnSpeedup, where);
    row.targetTokens = optionalCount(json, "target_tokens", where);
    row.tokenSpeedup = optionalNumber(json, "token_speedup", 0.0, where);
    row.tokenSpeedupSpread = optionalNumber(json, "token_speedup_spread", 0.0, where);
    row.rounds = optionalRounds(json, where);
    row.threshold = optionalNumber(json, "threshold", 0.0, where);
    // Files from before the compute accounting did not measure it: 0 reads "unknown".
    row.compute = optionalNumber(json, "compute", 0.0, where);
    return row;
}

}  // namespace

nlohmann::json SweepResult::toJson() const {
    auto rowJson = [](const SweepRow& r) {
        return nlohmann::json{{"encoder_k", r.encoderK},
                              {"decoder_k", r.decoderK},
                              {"bleu", r.bleu},
                              {"seconds", r.seconds},
                              {"ffn_seconds", r.ffnSeconds},
                              {"recall", r.recall},
                              {"ffn_error", r.ffnError},
                              {"speedup", r.speedup},
                              {"speedup_spread", r.speedupSpread},
                              {"ffn_speedup", r.ffnSpeedup},
                              {"target_tokens", r.targetTokens},
                              {"token_speedup", r.tokenSpeedup},
                              {"token_speedup_spread", r.tokenSpeedupSpread},
                              {"rounds", r.rounds},
                              {"threshold", r.threshold},
                              {"compute", r.compute}};
    };
    nlohmann::json rowsJson = nlohmann::json::array();
    for (const auto& r : rows) {
        rowsJson.push_back(rowJson(r));
    }
    return {{"format_version", kSweepFormatVersion},
            {"partition", partition},
            {"router", router},
            {"num_experts", numExperts},
            {"partition_hash", partitionHash},
            {"router_hash", routerHash},
            {"dense", rowJson(dense)},
            {"rows", rowsJson}};
}

SweepResult SweepResult::fromJson(const nlohmann::json& json) {
    const std::string where = "sweep JSON";
    formatVersion(json, where);
    SweepResult result;
    result.partition = stringField(json, "partition", where);
    result.router = stringField(json, "router", where);
    result.numExperts = intField(json, "num_experts", where);
    result.partitionHash = optionalString(json, "partition_hash", where);
    result.routerHash = optionalString(json, "router_hash", where);
    result.dense = rowFromJson(member(json, "dense", where), where + " 'dense'");
    const auto& rows = arrayField(json, "rows", where);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        result.rows.push_back(rowFromJson(rows[i], where + " 'rows[" + std::to_string(i) + "]'",
                                          result.dense.seconds, result.dense.ffnSeconds));
    }
    return result;
}

std::string SweepResult::toCsv() const {
    std::ostringstream out;
    out << kSweepCsvHeader << "\n";
    auto line = [&](const SweepRow& r) {
        char text[320];
        std::snprintf(text, sizeof text,
                      "%s,%s,%d,%d,%.2f,%.4f,%.4f,%.3f,%.3f,%.3f,%lld,%.4f,%.3f,%.3f,%d,%.4f,%.4f,%"
                      ".3f,%.4f\n",
                      partition.c_str(), router.c_str(), r.encoderK, r.decoderK, r.bleu, r.seconds,
                      r.ffnSeconds, r.speedup, r.speedupSpread, r.ffnSpeedup,
                      static_cast<long long>(r.targetTokens), 1000.0 * r.secondsPerToken(),
                      r.tokenSpeedup, r.tokenSpeedupSpread, r.rounds, r.recall, r.ffnError,
                      r.threshold, r.compute);
        out << text;
    };
    line(dense);
    for (const auto& r : rows) {
        line(r);
    }
    return out.str();
}

namespace {

// `text` padded with spaces to `width` columns; × and ± take two bytes but one column.
std::string padded(const std::string& text, std::size_t width) {
    std::size_t columns = 0;
    for (unsigned char c : text) {
        columns += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    return text + std::string(width > columns ? width - columns : 0, ' ');
}

}  // namespace

std::string ComparisonTable::toText() const {
    std::ostringstream out;
    char text[64];
    constexpr std::size_t kCell = 27;
    out << "sentences | " << padded("dense", kCell);
    for (int k : ks) {
        std::snprintf(text, sizeof text, "K=%d", k);
        out << "| " << padded(text, kCell);
    }
    out << "\n";
    int rounds = 0;
    for (std::size_t s = 0; s < cells.size(); ++s) {
        std::snprintf(text, sizeof text, "%9d ", sentenceCounts[s]);
        out << text;
        for (std::size_t c = 0; c < cells[s].size(); ++c) {
            const auto& cell = cells[s][c];
            const std::string speedup =
                c == 0 ? std::string() : TimingRatio{cell.speedup, cell.speedupSpread}.text();
            std::snprintf(text, sizeof text, "%6.3fs %5.1f ", cell.seconds, cell.bleu);
            out << "| " << padded(text + speedup, kCell);
            rounds = std::max(rounds, cell.rounds);
        }
        out << "\n";
    }
    out << "(median seconds over " << rounds
        << " interleaved round(s), BLEU, speed-up over dense ± its farthest round; same batch "
           "settings)\n";
    return out.str();
}

nlohmann::json ComparisonTable::toJson() const {
    nlohmann::json cellsJson = nlohmann::json::array();
    for (const auto& row : cells) {
        nlohmann::json rowJson = nlohmann::json::array();
        for (const auto& cell : row) {
            rowJson.push_back({{"seconds", cell.seconds},
                               {"bleu", cell.bleu},
                               {"speedup", cell.speedup},
                               {"speedup_spread", cell.speedupSpread},
                               {"target_tokens", cell.targetTokens},
                               {"token_speedup", cell.tokenSpeedup},
                               {"rounds", cell.rounds}});
        }
        cellsJson.push_back(rowJson);
    }
    return {{"format_version", kSweepFormatVersion},
            {"partition", partition},
            {"router", router},
            {"num_experts", numExperts},
            {"partition_hash", partitionHash},
            {"router_hash", routerHash},
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
    formatVersion(json, where);
    ComparisonTable table;
    table.partition = stringField(json, "partition", where);
    table.router = stringField(json, "router", where);
    table.numExperts = intField(json, "num_experts", where);
    table.partitionHash = optionalString(json, "partition_hash", where);
    table.routerHash = optionalString(json, "router_hash", where);
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
            const auto& json = rows[s][c];
            ComparisonCell cell;
            cell.seconds = numberField(json, "seconds", cellWhere);
            cell.bleu = numberField(json, "bleu", cellWhere);
            // Version 1 timed each cell once: its speed-up is the plain ratio to the dense cell.
            const double dense = row.empty() ? cell.seconds : row.front().seconds;
            cell.speedup = optionalNumber(json, "speedup",
                                          cell.seconds > 0 ? dense / cell.seconds : 1.0, cellWhere);
            cell.speedupSpread = optionalNumber(json, "speedup_spread", 0.0, cellWhere);
            cell.targetTokens = optionalCount(json, "target_tokens", cellWhere);
            cell.tokenSpeedup = optionalNumber(json, "token_speedup", 0.0, cellWhere);
            cell.rounds = optionalRounds(json, cellWhere);
            row.push_back(cell);
        }
        table.cells.push_back(row);
    }
    return table;
}

}  // namespace moewb
