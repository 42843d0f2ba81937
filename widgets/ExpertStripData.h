#pragma once
// What the translator's expert strip shows, in plain C++ (no LibTorch, no Qt): LiveTranslation
// fills it on a worker, ExpertStripPlot draws it.

#include <string>
#include <vector>

namespace moewb::gui {

// Which experts fired, per FFN layer and token (the translator's per-token strip).
struct ExpertStripData {
    int numExperts = 0;     // N experts per layer
    int maxExperts = 0;     // K: experts per token, the most of them with a threshold (0 unknown)
    double threshold = 0;   // dynamic K's router-mass threshold τ; 0 = every token ran K
    int encoderLayers = 0;  // layers[0 … encoderLayers) are encoder layers, the rest decoder
    std::vector<std::string> sourceTokens;  // pieces the encoder read (EOS included)
    std::vector<std::string> targetTokens;  // piece each decoder step produced (EOS included)
    // layers[l][t]: expert ids (best first) layer l ran for token t of its side (source tokens
    // for encoder layers, target tokens for decoder layers). With dynamic K the lists differ in
    // length; ids outside 0 … N-1 (the -1 of an unused slot) are never drawn.
    std::vector<std::vector<std::vector<int>>> layers;
    bool isEmpty() const { return layers.empty(); }
    // Mean length of the lists: the experts a token ran, over every layer and token (0 if none).
    double meanExperts() const {
        double sum = 0, count = 0;
        for (const auto& layer : layers) {
            for (const auto& token : layer) {
                for (int expert : token) {
                    sum += expert >= 0 && expert < numExperts ? 1 : 0;
                }
                ++count;
            }
        }
        return count > 0 ? sum / count : 0.0;
    }
};

}  // namespace moewb::gui
