#pragma once
// A SentencePiece subword model (joint German+English vocabulary). SentencePiece itself runs in
// the moewb_spm plugin (see core/CMakeLists.txt); this class is the only way core reaches it.

#include "moewb/util/Feedback.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace moewb {

struct SentencePieceTrainOptions {
    int vocabSize = 8000;               // pieces in the joint vocabulary (default 8000)
    std::string modelType = "unigram";  // "unigram" (default) or "bpe"
    double characterCoverage = 0.9995;  // share of characters covered (default 0.9995)
    std::size_t maxSentences = 300000;  // sentences sampled for training (default 300 000)
    unsigned seed = 1;                  // sampling seed (default 1)
    int threads = 0;                    // trainer threads; 0 = all cores (default 0)
};

class SentencePieceModel {
public:
    // Fixed special ids; the Transformer relies on them.
    static constexpr int kPadId = 0;
    static constexpr int kUnkId = 1;
    static constexpr int kBosId = 2;
    static constexpr int kEosId = 3;

    // Trains a model on the given sentences (both languages mixed, one per element).
    // Throws std::invalid_argument on empty input or a vocabulary too large for the data.
    static SentencePieceModel train(const std::vector<std::string>& sentences,
                                    const SentencePieceTrainOptions& options, Feedback& feedback);
    // Loads a model from the bytes serialize() returned (as embedded in a model file).
    static SentencePieceModel fromBytes(const std::string& serialized);

    SentencePieceModel(SentencePieceModel&&) noexcept;
    SentencePieceModel& operator=(SentencePieceModel&&) noexcept;
    ~SentencePieceModel();

    std::vector<int> encode(const std::string& text) const;
    std::string decode(const std::vector<int>& ids) const;
    std::string piece(int id) const;
    int vocabSize() const;
    const std::string& serialize() const { return m_serialized; }

    // Where the plugin was loaded from (for `moewb info` and error reports).
    static std::string pluginPath();

private:
    SentencePieceModel(std::string serialized, void* handle);
    std::string m_serialized;
    void* m_handle = nullptr;
};

}  // namespace moewb
