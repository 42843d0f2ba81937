#pragma once
// A translation model: the Transformer, its SentencePiece tokenizer and its training record,
// stored together in one self-contained file (see ModelFile in NmtModel.cpp for the layout).

#include "moewb/nmt/HalfWeights.h"
#include "moewb/nmt/Transformer.h"
#include "moewb/text/SentencePieceModel.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace moewb {

enum class WeightPrecision { Float32, Float16 };

class NmtModel {
public:
    // Current model-file format version; newer files are refused. Version 2 added the crc32
    // checksum and per-tensor dtypes; version 1 files still load.
    static constexpr uint32_t kFormatVersion = 2;

    NmtModel(const TransformerConfig& config, SentencePieceModel tokenizer);

    Transformer& transformer() { return m_transformer; }
    const Transformer& transformer() const { return m_transformer; }
    const SentencePieceModel& tokenizer() const { return m_tokenizer; }
    const TransformerConfig& config() const { return m_transformer->config(); }
    // Free-form facts about how the model was made (data, options, time, scores).
    nlohmann::json& record() { return m_record; }
    const nlohmann::json& record() const { return m_record; }
    int64_t parameterCount() const;
    // An independent copy (weights, tokenizer, record), e.g. for work that changes weights or
    // needs gradients while other threads use this model.
    std::shared_ptr<NmtModel> clone() const;
    // float16 copies of the decoding weights when they are exactly float16 values (a model read
    // from a float16 file), for the decoding kernels; null otherwise. Remade after the weights
    // change; safe to call from several threads.
    std::shared_ptr<const HalfWeights> halfWeights() const;

    // Writes the model atomically. Float16 halves the file; weights load back as float32.
    void save(const std::string& path, WeightPrecision precision = WeightPrecision::Float32) const;
    // Reads a model file. Throws std::runtime_error naming the file and what is wrong: missing,
    // not a model file (magic), newer format version, truncated, checksum mismatch, a size or
    // offset outside the file, a weight listed twice or missing, config not matching weights,
    // NaN or infinite weights.
    static std::shared_ptr<NmtModel> load(const std::string& path);

    // The shipped default model (resources/models/default.moewb), or an error saying where it
    // was looked for.
    static std::string defaultModelPath();

private:
    Transformer m_transformer{nullptr};
    SentencePieceModel m_tokenizer;
    nlohmann::json m_record = nlohmann::json::object();
    mutable std::mutex m_halfMutex;
    mutable std::shared_ptr<const HalfWeights> m_half;
    mutable int64_t m_halfFingerprint = -1;  // parameter versions m_half was made for
};

}  // namespace moewb
