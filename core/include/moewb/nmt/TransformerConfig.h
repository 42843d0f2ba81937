#pragma once
// Size of the Transformer encoder-decoder (docs/algorithms.md, "The model"). Defaults are the
// shipped model's.

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace moewb {

struct TransformerConfig {
    int vocabSize = 8000;     // joint SentencePiece vocabulary (default 8000)
    int dModel = 256;         // model width (default 256)
    int heads = 4;            // attention heads; must divide dModel (default 4)
    int encoderLayers = 3;    // encoder layers (default 3)
    int decoderLayers = 3;    // decoder layers (default 3)
    int dFf = 1024;           // FFN hidden size, the neurons MoEfication splits (default 1024)
    double dropout = 0.1;     // dropout in training (default 0.1)
    int maxPositions = 1024;  // longest sequence the sinusoidal table covers (default 1024)

    // Throws std::invalid_argument with a message naming the bad field.
    void validate() const;
    nlohmann::json toJson() const;
    static TransformerConfig fromJson(const nlohmann::json& json);
};

}  // namespace moewb
