#include "moewb/nmt/TransformerConfig.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace moewb {

void TransformerConfig::validate() const {
    auto require = [](bool ok, const std::string& what) {
        if (!ok) {
            throw std::invalid_argument("invalid model configuration: " + what);
        }
    };
    require(vocabSize >= 8, "vocabulary size must be at least 8");
    require(dModel > 0 && heads > 0 && dModel % heads == 0,
            "d_model (" + std::to_string(dModel) + ") must be a positive multiple of heads (" +
                std::to_string(heads) + ")");
    require(dModel % 2 == 0, "d_model must be even (sinusoidal positions)");
    require(encoderLayers >= 1 && decoderLayers >= 1,
            "need at least one encoder and decoder layer");
    require(dFf > 0, "d_ff must be positive");
    require(dropout >= 0.0 && dropout < 1.0, "dropout must be in [0, 1)");
    require(maxPositions >= 16, "max positions must be at least 16");
}

nlohmann::json TransformerConfig::toJson() const {
    return {{"vocab_size", vocabSize},
            {"d_model", dModel},
            {"heads", heads},
            {"encoder_layers", encoderLayers},
            {"decoder_layers", decoderLayers},
            {"d_ff", dFf},
            {"dropout", dropout},
            {"max_positions", maxPositions}};
}

TransformerConfig TransformerConfig::fromJson(const nlohmann::json& json) {
    TransformerConfig c;
    try {
        c.vocabSize = json.at("vocab_size").get<int>();
        c.dModel = json.at("d_model").get<int>();
        c.heads = json.at("heads").get<int>();
        c.encoderLayers = json.at("encoder_layers").get<int>();
        c.decoderLayers = json.at("decoder_layers").get<int>();
        c.dFf = json.at("d_ff").get<int>();
        c.dropout = json.at("dropout").get<double>();
        c.maxPositions = json.at("max_positions").get<int>();
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("model configuration is incomplete: ") + e.what());
    }
    c.validate();
    return c;
}

}  // namespace moewb
