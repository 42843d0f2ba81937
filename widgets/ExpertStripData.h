#pragma once
// What the translator's expert strip shows, in plain C++ (no LibTorch, no Qt): LiveTranslation
// fills it on a worker, ExpertStripPlot draws it.

#include <string>
#include <vector>

// Which experts fired, per FFN layer and token (the translator's per-token strip).
struct ExpertStripData {
    int numExperts = 0;     // N experts per layer
    int encoderLayers = 0;  // layers[0 … encoderLayers) are encoder layers, the rest decoder
    std::vector<std::string> sourceTokens;  // pieces the encoder read (EOS included)
    std::vector<std::string> targetTokens;  // piece each decoder step produced (EOS included)
    // layers[l][t]: expert ids (best first) layer l ran for token t of its side (source tokens
    // for encoder layers, target tokens for decoder layers).
    std::vector<std::vector<std::vector<int>>> layers;
    bool isEmpty() const { return layers.empty(); }
};
