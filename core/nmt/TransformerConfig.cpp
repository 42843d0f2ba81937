#include "moewb/nmt/TransformerConfig.h"

#include "moewb/util/JsonFile.h"

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
    // jsonInteger: get<int>() would convert an out-of-range float with undefined behaviour.
    auto integer = [&](const char* key) { return jsonInteger<int>(json.at(key), key); };
    try {
        c.vocabSize = integer("vocab_size");
        c.dModel = integer("d_model");
        c.heads = integer("heads");
        c.encoderLayers = integer("encoder_layers");
        c.decoderLayers = integer("decoder_layers");
        c.dFf = integer("d_ff");
        c.dropout = json.at("dropout").get<double>();
        c.maxPositions = integer("max_positions");
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("model configuration is incomplete: ") + e.what());
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("invalid model configuration: ") + e.what());
    }
    c.validate();
    return c;
}

}  // namespace moewb
