// moewb_spm: a thin C-ABI wrapper around SentencePiece, loaded by core with dlopen.
#include "moewb/text/SpmPluginApi.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

// Exported by libsentencepiece but not declared in its public headers.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}

namespace {

// SentencePiece logs to std::cerr. Under RTLD_DEEPBIND its std::cerr binds to libstdc++'s own,
// never-constructed stream object whenever the executable holds a copy-relocated std::cerr, and
// the first log line crashes. Errors come back as Status objects, so silence the log entirely.
void silenceLogging() {
    sentencepiece::logging::SetMinLogLevel(4);
}

char* copyOut(const std::string& text, std::size_t* size = nullptr) {
    char* buffer = static_cast<char*>(std::malloc(text.size() + 1));
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    if (size) {
        *size = text.size();
    }
    return buffer;
}

class VectorIterator : public sentencepiece::SentenceIterator {
public:
    VectorIterator(const char* const* sentences, const std::size_t* lengths, std::size_t count)
        : m_sentences(sentences), m_lengths(lengths), m_count(count) {
        load();
    }
    bool done() const override { return m_index >= m_count; }
    void Next() override {
        ++m_index;
        load();
    }
    const std::string& value() const override { return m_value; }
    sentencepiece::util::Status status() const override { return {}; }

private:
    void load() {
        if (m_index < m_count) {
            m_value.assign(m_sentences[m_index], m_lengths[m_index]);
        }
    }
    const char* const* m_sentences;
    const std::size_t* m_lengths;
    std::size_t m_count;
    std::size_t m_index = 0;
    std::string m_value;
};

int spmTrain(const char* const* sentences, const std::size_t* lengths, std::size_t count,
             const char* args, char** model, std::size_t* modelSize, char** error) {
    try {
        silenceLogging();
        VectorIterator iterator(sentences, lengths, count);
        std::string serialized;
        const auto status =
            sentencepiece::SentencePieceTrainer::Train(args, &iterator, &serialized);
        if (!status.ok()) {
            *error = copyOut(status.ToString());
            return 1;
        }
        *model = copyOut(serialized, modelSize);
        return 0;
    } catch (const std::exception& e) {
        *error = copyOut(e.what());
        return 1;
    }
}

void* spmLoad(const char* model, std::size_t modelSize, char** error) {
    silenceLogging();
    auto processor = std::make_unique<sentencepiece::SentencePieceProcessor>();
    const auto status = processor->LoadFromSerializedProto(std::string(model, modelSize));
    if (!status.ok()) {
        *error = copyOut(status.ToString());
        return nullptr;
    }
    return processor.release();
}

void spmRelease(void* handle) {
    delete static_cast<sentencepiece::SentencePieceProcessor*>(handle);
}

int spmEncode(void* handle, const char* text, std::size_t size, int32_t** ids, std::size_t* count,
              char** error) {
    std::vector<int> out;
    const auto status = static_cast<sentencepiece::SentencePieceProcessor*>(handle)->Encode(
        std::string(text, size), &out);
    if (!status.ok()) {
        *error = copyOut(status.ToString());
        return 1;
    }
    *count = out.size();
    *ids = static_cast<int32_t*>(std::malloc(sizeof(int32_t) * (out.size() + 1)));
    for (std::size_t i = 0; i < out.size(); ++i) {
        (*ids)[i] = out[i];
    }
    return 0;
}

int spmDecode(void* handle, const int32_t* ids, std::size_t count, char** text, std::size_t* size,
              char** error) {
    std::vector<int> in(ids, ids + count);
    std::string out;
    const auto status =
        static_cast<sentencepiece::SentencePieceProcessor*>(handle)->Decode(in, &out);
    if (!status.ok()) {
        *error = copyOut(status.ToString());
        return 1;
    }
    *text = copyOut(out, size);
    return 0;
}

int spmVocabSize(void* handle) {
    return static_cast<sentencepiece::SentencePieceProcessor*>(handle)->GetPieceSize();
}

int spmIdToPiece(void* handle, int32_t id, char** piece, std::size_t* size) {
    auto* processor = static_cast<sentencepiece::SentencePieceProcessor*>(handle);
    if (id < 0 || id >= processor->GetPieceSize()) {
        return 1;
    }
    *piece = copyOut(processor->IdToPiece(id), size);
    return 0;
}

void spmFree(void* buffer) {
    std::free(buffer);
}

const MoewbSpmApi kApi = {
    MOEWB_SPM_API_VERSION, spmTrain,     spmLoad, spmRelease, spmEncode, spmDecode,
    spmVocabSize,          spmIdToPiece, spmFree};

}  // namespace

extern "C" __attribute__((visibility("default"))) const MoewbSpmApi* moewb_spm_api(void) {
    return &kApi;
}
