#include "moewb/nmt/NmtModel.h"

#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

namespace moewb {
namespace {

// File layout (little-endian):
//   8 bytes magic "MOEWBNMT" | u32 format version | u64 header size | header JSON
//   | u64 tokenizer size | SentencePiece model bytes | tensor data (data_bytes bytes)
//   | version >= 2: u32 zlib crc32 of every byte before it.
// The header's "tensors" list each parameter exactly once ({name, shape, dtype (v2), offset,
// bytes}, offsets relative to the tensor data); together they fill the tensor data exactly.
// Version 1 has no checksum and no per-tensor dtype ("weights_dtype" holds for all).
constexpr char kMagic[8] = {'M', 'O', 'E', 'W', 'B', 'N', 'M', 'T'};
constexpr uint32_t kFirstChecksummedVersion = 2;
constexpr const char* kDamaged = "; the file is damaged; re-download or re-save it";

template <typename T>
void appendPod(std::string& out, T value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

uint32_t crc32Of(uint32_t crc, const void* data, std::size_t size) {
    return static_cast<uint32_t>(
        crc32_z(crc, static_cast<const Bytef*>(data), static_cast<z_size_t>(size)));
}

class Reader {
public:
    Reader(const std::string& path, const std::string& bytes, std::size_t end)
        : m_path(path), m_bytes(bytes), m_end(end) {}
    const char* take(uint64_t n, const char* what) {
        // Compared as a remainder so a huge n cannot wrap around.
        if (n > m_end - m_offset) {
            throw std::runtime_error(m_path + ": truncated model file (ends inside the " +
                                     std::string(what) + "); copy or download it again");
        }
        const char* p = m_bytes.data() + m_offset;
        m_offset += static_cast<std::size_t>(n);
        return p;
    }
    template <typename T>
    T pod(const char* what) {
        T value;
        std::memcpy(&value, take(sizeof value, what), sizeof value);
        return value;
    }
    std::size_t offset() const { return m_offset; }
    std::size_t remaining() const { return m_end - m_offset; }

private:
    const std::string& m_path;
    const std::string& m_bytes;
    std::size_t m_end;
    std::size_t m_offset = 0;
};

// A byte count or offset from the header: a whole number >= 0 (JSON -1 or 1e11 are refused).
uint64_t headerCount(const std::string& path, const nlohmann::json& value,
                     const std::string& what) {
    if (!value.is_number_unsigned()) {
        throw std::runtime_error(path + ": corrupt model header: " + what + " is " + value.dump() +
                                 ", not a byte count" + kDamaged);
    }
    return value.get<uint64_t>();
}

struct TensorEntry {
    std::string name;
    std::vector<int64_t> shape;
    torch::Dtype dtype = torch::kFloat;
    uint64_t offset = 0;
    uint64_t bytes = 0;
};

torch::Dtype dtypeNamed(const std::string& path, const std::string& name, const std::string& what) {
    if (name == "float32") {
        return torch::kFloat;
    }
    if (name == "float16") {
        return torch::kHalf;
    }
    throw std::runtime_error(path + ": " + what + " has dtype '" + name +
                             "'; MoE Workbench reads float16 and float32 weights" + kDamaged);
}

// The tensor table, each entry inside the tensor data (checked without overflow).
std::vector<TensorEntry> tensorTable(const std::string& path, const nlohmann::json& header,
                                     uint64_t dataBytes) {
    const torch::Dtype fileDtype =
        dtypeNamed(path, header.value("weights_dtype", std::string("float32")), "the file");
    std::vector<TensorEntry> table;
    for (const auto& item : header.at("tensors")) {
        TensorEntry entry;
        entry.name = item.at("name").get<std::string>();
        const std::string what = "weight '" + entry.name + "'";
        for (const auto& dim : item.at("shape")) {
            entry.shape.push_back(static_cast<int64_t>(
                std::min<uint64_t>(headerCount(path, dim, what + " shape"), INT64_MAX)));
        }
        entry.dtype = item.contains("dtype")
                          ? dtypeNamed(path, item.at("dtype").get<std::string>(), what)
                          : fileDtype;
        entry.offset = headerCount(path, item.at("offset"), what + " offset");
        entry.bytes = headerCount(path, item.at("bytes"), what + " size");
        if (entry.bytes > dataBytes || entry.offset > dataBytes - entry.bytes) {
            throw std::runtime_error(path + ": " + what + " lies outside the weight data (offset " +
                                     std::to_string(entry.offset) + ", " +
                                     std::to_string(entry.bytes) + " bytes, weight data " +
                                     std::to_string(dataBytes) + " bytes)" + kDamaged);
        }
        table.push_back(std::move(entry));
    }
    // The tensors must tile the data: no overlap (two weights sharing bytes) and no gap.
    std::vector<const TensorEntry*> byOffset;
    for (const auto& entry : table) {
        byOffset.push_back(&entry);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const TensorEntry* a, const TensorEntry* b) { return a->offset < b->offset; });
    uint64_t next = 0;
    for (const auto* entry : byOffset) {
        if (entry->offset != next) {
            throw std::runtime_error(path + ": weight '" + entry->name + "' starts at byte " +
                                     std::to_string(entry->offset) + " of the weight data, not " +
                                     std::to_string(next) + " (overlapping or misplaced weights)" +
                                     kDamaged);
        }
        next += entry->bytes;
    }
    if (next != dataBytes) {
        throw std::runtime_error(path + ": the weights fill " + std::to_string(next) + " of the " +
                                 std::to_string(dataBytes) + " bytes of weight data" + kDamaged);
    }
    return table;
}

// Refuses a configuration whose model could not possibly fit the file before building it, so a
// crafted header cannot make us allocate terabytes. A lower bound, not the exact count.
void checkConfigFits(const std::string& path, const TransformerConfig& c, uint64_t dataBytes) {
    const double d = c.dModel;
    const double layers = static_cast<double>(c.encoderLayers) + c.decoderLayers;
    const double atLeast = static_cast<double>(c.vocabSize) * d + layers * (2.0 * d * c.dFf);
    if (atLeast * 2.0 > static_cast<double>(dataBytes)) {
        throw std::runtime_error(path + ": the configuration needs at least " +
                                 std::to_string(static_cast<uint64_t>(atLeast)) +
                                 " weights but the file holds " + std::to_string(dataBytes) +
                                 " bytes of weight data (config and weights do not match)");
    }
    // The sinusoidal table is computed, not stored: bound it by itself (1 GiB).
    if (static_cast<double>(c.maxPositions) * d > double(1u << 28)) {
        throw std::runtime_error(path + ": max_positions " + std::to_string(c.maxPositions) +
                                 " is too large for d_model " + std::to_string(c.dModel) +
                                 kDamaged);
    }
}

}  // namespace

std::shared_ptr<const HalfWeights> NmtModel::halfWeights() const {
    int64_t fingerprint = 0;
    for (const auto& p : m_transformer->parameters()) {
        fingerprint += p._version();
    }
    std::lock_guard<std::mutex> lock(m_halfMutex);
    if (fingerprint != m_halfFingerprint || (m_half && !m_half->current())) {
        m_half = HalfWeights::make(*m_transformer);
        m_halfFingerprint = fingerprint;
    }
    return m_half;
}

NmtModel::NmtModel(const TransformerConfig& config, SentencePieceModel tokenizer)
    : m_transformer(config), m_tokenizer(std::move(tokenizer)) {
    if (m_tokenizer.vocabSize() > config.vocabSize) {
        throw std::invalid_argument("tokenizer has " + std::to_string(m_tokenizer.vocabSize()) +
                                    " pieces but the model only " +
                                    std::to_string(config.vocabSize));
    }
}

std::shared_ptr<NmtModel> NmtModel::clone() const {
    auto copy = std::make_shared<NmtModel>(config(),
                                           SentencePieceModel::fromBytes(m_tokenizer.serialize()));
    torch::NoGradGuard noGrad;
    auto to = copy->m_transformer->named_parameters();
    for (const auto& item : m_transformer->named_parameters()) {
        to[item.key()].copy_(item.value());
    }
    auto buffers = copy->m_transformer->named_buffers();
    for (const auto& item : m_transformer->named_buffers()) {
        buffers[item.key()].copy_(item.value());
    }
    copy->m_transformer->train(m_transformer->is_training());
    copy->m_record = m_record;
    return copy;
}

int64_t NmtModel::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : m_transformer->parameters()) {
        n += p.numel();
    }
    return n;
}

void NmtModel::save(const std::string& path, WeightPrecision precision) const {
    const auto dtype = precision == WeightPrecision::Float16 ? torch::kHalf : torch::kFloat;
    const char* dtypeName = dtype == torch::kHalf ? "float16" : "float32";
    nlohmann::json tensors = nlohmann::json::array();
    std::vector<torch::Tensor> data;
    std::size_t offset = 0;
    for (const auto& item : m_transformer->named_parameters()) {
        auto t = item.value().detach().to(dtype).contiguous();
        const std::size_t bytes = t.numel() * t.element_size();
        tensors.push_back({{"name", item.key()},
                           {"shape", t.sizes().vec()},
                           {"dtype", dtypeName},
                           {"offset", offset},
                           {"bytes", bytes}});
        offset += bytes;
        data.push_back(t);
    }
    nlohmann::json header = {{"config", config().toJson()},
                             {"weights_dtype", dtypeName},
                             {"tensors", tensors},
                             {"data_bytes", offset},
                             {"record", m_record}};
    const std::string headerText = header.dump();
    const std::string tokenizerBytes = m_tokenizer.serialize();
    std::string prefix(kMagic, sizeof kMagic);
    appendPod<uint32_t>(prefix, kFormatVersion);
    appendPod<uint64_t>(prefix, headerText.size());
    prefix += headerText;
    appendPod<uint64_t>(prefix, tokenizerBytes.size());
    prefix += tokenizerBytes;

    AtomicFileWriter writer(path);
    uint32_t crc = crc32Of(0, prefix.data(), prefix.size());
    writer.write(prefix);
    for (const auto& t : data) {
        const std::size_t bytes = t.numel() * t.element_size();
        crc = crc32Of(crc, t.data_ptr(), bytes);
        writer.write(t.data_ptr(), bytes);
    }
    std::string trailer;
    appendPod<uint32_t>(trailer, crc);
    writer.write(trailer);
    writer.commit();
}

std::shared_ptr<NmtModel> NmtModel::load(const std::string& path) {
    if (!fileExists(path)) {
        throw std::runtime_error(path + ": model file not found");
    }
    const std::string bytes = readFileBytes(path);
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
        throw std::runtime_error(path + ": not a MoE Workbench model file (wrong magic bytes)");
    }
    Reader prologue(path, bytes, bytes.size());
    prologue.take(sizeof kMagic, "magic");
    const auto version = prologue.pod<uint32_t>("format version");
    if (version > kFormatVersion) {
        throw std::runtime_error(path + ": model format version " + std::to_string(version) +
                                 " is newer than this MoE Workbench reads (" +
                                 std::to_string(kFormatVersion) + "); update MoE Workbench");
    }
    if (version == 0) {
        throw std::runtime_error(path + ": invalid model format version 0");
    }
    // From version 2 on, the last 4 bytes are the crc32 of everything before them.
    const bool checksummed = version >= kFirstChecksummedVersion;
    const std::size_t trailer = checksummed ? sizeof(uint32_t) : 0;
    if (bytes.size() < prologue.offset() + trailer) {
        throw std::runtime_error(path +
                                 ": truncated model file (ends inside the checksum); copy "
                                 "or download it again");
    }
    const std::size_t contentEnd = bytes.size() - trailer;
    auto intact = [&] {
        if (!checksummed) {
            return true;
        }
        uint32_t stored;
        std::memcpy(&stored, bytes.data() + contentEnd, sizeof stored);
        return crc32Of(0, bytes.data(), contentEnd) == stored;
    };
    const std::string checksumError =
        path + ": model file checksum mismatch: the file is damaged; re-download or re-save it";

    Reader in(path, bytes, contentEnd);
    in.take(prologue.offset(), "format version");
    const auto headerSize = in.pod<uint64_t>("header size");
    const char* headerBytes = in.take(headerSize, "header");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerBytes, headerBytes + headerSize);
    } catch (const nlohmann::json::exception& e) {
        if (!intact()) {
            throw std::runtime_error(checksumError);
        }
        throw std::runtime_error(path + ": corrupt model header (" + e.what() + ")");
    }
    const auto tokenizerSize = in.pod<uint64_t>("tokenizer size");
    const std::string tokenizerBytes(in.take(tokenizerSize, "tokenizer"), tokenizerSize);
    const std::size_t dataStart = in.offset();

    TransformerConfig config;
    std::vector<TensorEntry> table;
    try {
        const uint64_t dataBytes = headerCount(path, header.at("data_bytes"), "data_bytes");
        if (dataBytes > in.remaining()) {
            throw std::runtime_error(path + ": truncated model file (" +
                                     std::to_string(bytes.size()) +
                                     " bytes; the header announces " + std::to_string(dataBytes) +
                                     " bytes of weights but " + std::to_string(in.remaining()) +
                                     " follow); copy or download it again");
        }
        if (!intact()) {
            throw std::runtime_error(checksumError);
        }
        if (checksummed && dataBytes != in.remaining()) {
            throw std::runtime_error(path + ": " + std::to_string(in.remaining() - dataBytes) +
                                     " unexpected bytes after the weights" + kDamaged);
        }
        try {
            config = TransformerConfig::fromJson(header.at("config"));
        } catch (const std::exception& e) {
            throw std::runtime_error(path + ": " + e.what());
        }
        checkConfigFits(path, config, dataBytes);
        table = tensorTable(path, header, dataBytes);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": corrupt model header (" + e.what() + ")" + kDamaged);
    }

    std::shared_ptr<NmtModel> model;
    try {
        model = std::make_shared<NmtModel>(config, SentencePieceModel::fromBytes(tokenizerBytes));
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    model->m_record = header.value("record", nlohmann::json::object());
    torch::NoGradGuard noGrad;
    auto parameters = model->m_transformer->named_parameters();
    std::set<std::string> seen;
    for (const auto& entry : table) {
        const auto* target = parameters.find(entry.name);
        if (!target) {
            throw std::runtime_error(path + ": weight '" + entry.name +
                                     "' does not belong to a model of this configuration");
        }
        if (!seen.insert(entry.name).second) {
            throw std::runtime_error(path + ": weight '" + entry.name + "' is listed twice" +
                                     kDamaged);
        }
        if (target->sizes().vec() != entry.shape) {
            throw std::runtime_error(path + ": weight '" + entry.name + "' has shape " +
                                     nlohmann::json(entry.shape).dump() +
                                     " but the configuration needs " +
                                     nlohmann::json(target->sizes().vec()).dump() +
                                     " (config and weights do not match)");
        }
        const uint64_t expected =
            static_cast<uint64_t>(target->numel()) * (entry.dtype == torch::kHalf ? 2u : 4u);
        if (entry.bytes != expected) {
            throw std::runtime_error(path + ": weight '" + entry.name + "' has " +
                                     std::to_string(entry.bytes) + " bytes but its shape needs " +
                                     std::to_string(expected) + kDamaged);
        }
    }
    for (const auto& item : parameters) {
        if (!seen.count(item.key())) {
            throw std::runtime_error(path + ": weight '" + item.key() +
                                     "' is missing (config and weights do not match)");
        }
    }
    for (const auto& entry : table) {
        // Copied rather than wrapped: the file's bytes need not be aligned for floats.
        auto source = torch::empty(entry.shape, torch::TensorOptions().dtype(entry.dtype));
        std::memcpy(source.data_ptr(), bytes.data() + dataStart + entry.offset, entry.bytes);
        auto& target = parameters[entry.name];
        target.copy_(source);
        if (!torch::isfinite(target).all().item<bool>()) {
            throw std::runtime_error(path + ": weight '" + entry.name +
                                     "' holds NaN or infinite values (a damaged file or a "
                                     "diverged training); use another model file");
        }
    }
    model->m_transformer->eval();
    return model;
}

std::string NmtModel::defaultModelPath() {
    const std::string path = findResource("models/default.moewb");
    if (path.empty()) {
        std::string where;
        for (const auto& folder : resourceSearchPath()) {
            where += " " + folder + "/models";
        }
        throw std::runtime_error("the shipped default model (default.moewb) was not found in:" +
                                 where + "; give a model file with --model");
    }
    return path;
}

}  // namespace moewb
