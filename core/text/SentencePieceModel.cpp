#include "moewb/text/SentencePieceModel.h"

#include "moewb/text/SpmPluginApi.h"
#include "moewb/util/Paths.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

namespace moewb {
namespace {

struct Plugin {
    const MoewbSpmApi* api = nullptr;
    std::string path;
};

#if defined(__SANITIZE_ADDRESS__)
#define MOEWB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MOEWB_ASAN 1
#endif
#endif

void* openPlugin(const std::string& path) {
#ifdef MOEWB_ASAN
    // AddressSanitizer refuses RTLD_DEEPBIND. A link-map namespace of its own isolates the
    // plugin's protobuf just as well; the plugin is built without sanitizers for this.
    return ::dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
#else
    // RTLD_DEEPBIND: the plugin resolves its own protobuf copy first (see toolchain notes).
    return ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
#endif
}

std::vector<std::string> pluginCandidates() {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("MOEWB_SPM_PLUGIN"); env && *env) {
        candidates.emplace_back(env);
    }
    const std::string exeDir = executableDirectory();
    candidates.push_back(exeDir + "/libmoewb_spm.so");
    candidates.push_back(exeDir + "/../" MOEWB_PLUGIN_INSTALL_DIR "/libmoewb_spm.so");
    candidates.push_back(exeDir + "/../bin/libmoewb_spm.so");
    return candidates;
}

const Plugin& plugin() {
    static Plugin loaded;
    static std::once_flag once;
    static std::string failure;
    std::call_once(once, [] {
        std::string tried;
        for (const auto& candidate : pluginCandidates()) {
            if (!fileExists(candidate)) {
                tried += "\n  " + candidate + " (missing)";
                continue;
            }
            void* library = openPlugin(candidate);
            if (!library) {
                tried += "\n  " + candidate + " (" + ::dlerror() + ")";
                continue;
            }
            auto entry =
                reinterpret_cast<MoewbSpmApiFunction>(::dlsym(library, MOEWB_SPM_API_SYMBOL));
            if (!entry || entry()->api_version != MOEWB_SPM_API_VERSION) {
                tried += "\n  " + candidate + " (not a compatible moewb_spm plugin)";
                continue;
            }
            loaded.api = entry();
            loaded.path = candidate;
            return;
        }
        failure =
            "cannot load the SentencePiece plugin libmoewb_spm.so; reinstall MoE Workbench "
            "or set MOEWB_SPM_PLUGIN to its path. Tried:" +
            tried;
    });
    if (!loaded.api) {
        throw std::runtime_error(failure);
    }
    return loaded;
}

std::string takeError(char* error) {
    std::string text = error ? error : "unknown SentencePiece error";
    if (error) {
        plugin().api->free_buffer(error);
    }
    return text;
}

}  // namespace

std::string SentencePieceModel::pluginPath() {
    return plugin().path;
}

SentencePieceModel::SentencePieceModel(std::string serialized, void* handle)
    : m_serialized(std::move(serialized)), m_handle(handle) {}

SentencePieceModel::SentencePieceModel(SentencePieceModel&& other) noexcept
    : m_serialized(std::move(other.m_serialized)), m_handle(other.m_handle) {
    other.m_handle = nullptr;
}

SentencePieceModel& SentencePieceModel::operator=(SentencePieceModel&& other) noexcept {
    if (this != &other) {
        if (m_handle) {
            plugin().api->release(m_handle);
        }
        m_serialized = std::move(other.m_serialized);
        m_handle = other.m_handle;
        other.m_handle = nullptr;
    }
    return *this;
}

SentencePieceModel::~SentencePieceModel() {
    if (m_handle) {
        plugin().api->release(m_handle);
    }
}

SentencePieceModel SentencePieceModel::fromBytes(const std::string& serialized) {
    char* error = nullptr;
    void* handle = plugin().api->load(serialized.data(), serialized.size(), &error);
    if (!handle) {
        throw std::runtime_error("invalid SentencePiece model: " + takeError(error));
    }
    return SentencePieceModel(serialized, handle);
}

SentencePieceModel SentencePieceModel::train(const std::vector<std::string>& sentences,
                                             const SentencePieceTrainOptions& options,
                                             Feedback& feedback) {
    if (sentences.empty()) {
        throw std::invalid_argument("cannot train a tokenizer on an empty corpus; give it text");
    }
    if (options.vocabSize < 8) {
        throw std::invalid_argument("vocabulary size must be at least 8");
    }
    if (options.modelType != "unigram" && options.modelType != "bpe") {
        throw std::invalid_argument("tokenizer model type must be 'unigram' or 'bpe', not '" +
                                    options.modelType + "'");
    }
    feedback.setProgress(0.0, "training the SentencePiece tokenizer");
    // Sample deterministically so huge corpora stay quick and runs are reproducible.
    std::vector<std::size_t> order(sentences.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    if (order.size() > options.maxSentences) {
        std::mt19937_64 rng(options.seed);
        std::shuffle(order.begin(), order.end(), rng);
        order.resize(options.maxSentences);
        std::sort(order.begin(), order.end());
    }
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    for (std::size_t i : order) {
        if (sentences[i].empty()) {
            continue;
        }
        pointers.push_back(sentences[i].data());
        lengths.push_back(sentences[i].size());
    }
    const int threads = options.threads > 0
                            ? options.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const std::string args =
        "--vocab_size=" + std::to_string(options.vocabSize) + " --model_type=" + options.modelType +
        " --character_coverage=" + std::to_string(options.characterCoverage) +
        " --pad_id=0 --unk_id=1 --bos_id=2 --eos_id=3 --hard_vocab_limit=false" +
        " --num_threads=" + std::to_string(threads) + " --max_sentence_length=20000";
    char* model = nullptr;
    std::size_t modelSize = 0;
    char* error = nullptr;
    if (plugin().api->train(pointers.data(), lengths.data(), pointers.size(), args.c_str(), &model,
                            &modelSize, &error) != 0) {
        throw std::invalid_argument("SentencePiece training failed: " + takeError(error) +
                                    " (a smaller vocabulary size may help)");
    }
    std::string serialized(model, modelSize);
    plugin().api->free_buffer(model);
    feedback.setProgress(1.0, "tokenizer trained");
    return fromBytes(serialized);
}

std::vector<int> SentencePieceModel::encode(const std::string& text) const {
    int32_t* ids = nullptr;
    std::size_t count = 0;
    char* error = nullptr;
    if (plugin().api->encode(m_handle, text.data(), text.size(), &ids, &count, &error) != 0) {
        throw std::runtime_error("SentencePiece encode failed: " + takeError(error));
    }
    std::vector<int> out(ids, ids + count);
    plugin().api->free_buffer(ids);
    return out;
}

std::string SentencePieceModel::decode(const std::vector<int>& ids) const {
    std::vector<int32_t> in(ids.begin(), ids.end());
    char* text = nullptr;
    std::size_t size = 0;
    char* error = nullptr;
    if (plugin().api->decode(m_handle, in.data(), in.size(), &text, &size, &error) != 0) {
        throw std::runtime_error("SentencePiece decode failed: " + takeError(error));
    }
    std::string out(text, size);
    plugin().api->free_buffer(text);
    return out;
}

std::string SentencePieceModel::piece(int id) const {
    char* text = nullptr;
    std::size_t size = 0;
    if (plugin().api->id_to_piece(m_handle, id, &text, &size) != 0) {
        throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary");
    }
    std::string out(text, size);
    plugin().api->free_buffer(text);
    return out;
}

int SentencePieceModel::vocabSize() const {
    return plugin().api->vocab_size(m_handle);
}

}  // namespace moewb
