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
    // Upper bounds too: a crafted or mistyped size (d_model 10^9) must be refused here, with the
    // field's name, not fail inside LibTorch's allocator with a backtrace.
    auto within = [&](int value, int lo, int hi, const char* name) {
        require(value >= lo && value <= hi, std::string(name) + " is " + std::to_string(value) +
                                                ", not between " + std::to_string(lo) + " and " +
                                                std::to_string(hi));
    };
    within(vocabSize, 8, 1 << 20, "vocab_size");
    within(dModel, 2, 1 << 14, "d_model");
    within(heads, 1, 1024, "heads");
    require(dModel % heads == 0, "d_model (" + std::to_string(dModel) +
                                     ") must be a multiple of heads (" + std::to_string(heads) +
                                     ")");
    require(dModel % 2 == 0, "d_model must be even (sinusoidal positions)");
    within(encoderLayers, 1, 256, "encoder_layers");
    within(decoderLayers, 1, 256, "decoder_layers");
    within(dFf, 1, 1 << 18, "d_ff");
    require(dropout >= 0.0 && dropout < 1.0, "dropout must be in [0, 1)");
    within(maxPositions, 16, 1 << 16, "max_positions");
    // Roughly the weights (embeddings, attention, FFNs): beyond 2^31 floats (8 GB) nothing here
    // could hold the model.
    const double d = dModel, weights = 2.0 * vocabSize * d +
                                       encoderLayers * (4.0 * d * d + 2.0 * d * dFf) +
                                       decoderLayers * (8.0 * d * d + 2.0 * d * dFf);
    require(weights <= 2147483648.0, "the model would have about " +
                                         std::to_string(static_cast<long long>(weights)) +
                                         " weights, more than 2^31 (8 GB)");
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
