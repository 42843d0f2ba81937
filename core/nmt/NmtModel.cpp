#include "moewb/nmt/NmtModel.h"

#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"

#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace moewb {
namespace {

// File layout (little-endian):
//   8 bytes magic "MOEWBNMT" | u32 format version | u64 header size | header JSON
//   | u64 tokenizer size | SentencePiece model bytes | tensor data (offsets in the header).
constexpr char kMagic[8] = {'M', 'O', 'E', 'W', 'B', 'N', 'M', 'T'};

template <typename T>
void appendPod(std::string& out, T value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

class Reader {
public:
    Reader(const std::string& path, const std::string& bytes) : m_path(path), m_bytes(bytes) {}
    const char* take(std::size_t n, const char* what) {
        if (m_offset + n > m_bytes.size()) {
            throw std::runtime_error(m_path + ": truncated model file (ends inside the " +
                                     std::string(what) + "); copy or download it again");
        }
        const char* p = m_bytes.data() + m_offset;
        m_offset += n;
        return p;
    }
    template <typename T>
    T pod(const char* what) {
        T value;
        std::memcpy(&value, take(sizeof value, what), sizeof value);
        return value;
    }
    std::size_t offset() const { return m_offset; }

private:
    const std::string& m_path;
    const std::string& m_bytes;
    std::size_t m_offset = 0;
};

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
    nlohmann::json tensors = nlohmann::json::array();
    std::vector<torch::Tensor> data;
    std::size_t offset = 0;
    for (const auto& item : m_transformer->named_parameters()) {
        auto t = item.value().detach().to(dtype).contiguous();
        const std::size_t bytes = t.numel() * t.element_size();
        tensors.push_back({{"name", item.key()},
                           {"shape", t.sizes().vec()},
                           {"offset", offset},
                           {"bytes", bytes}});
        offset += bytes;
        data.push_back(t);
    }
    nlohmann::json header = {{"config", config().toJson()},
                             {"weights_dtype", dtype == torch::kHalf ? "float16" : "float32"},
                             {"tensors", tensors},
                             {"data_bytes", offset},
                             {"record", m_record}};
    const std::string headerText = header.dump();
    std::string prefix(kMagic, sizeof kMagic);
    appendPod<uint32_t>(prefix, kFormatVersion);
    appendPod<uint64_t>(prefix, headerText.size());
    prefix += headerText;
    appendPod<uint64_t>(prefix, m_tokenizer.serialize().size());
    prefix += m_tokenizer.serialize();

    AtomicFileWriter writer(path);
    writer.write(prefix);
    for (const auto& t : data) {
        writer.write(t.data_ptr(), t.numel() * t.element_size());
    }
    writer.commit();
}

std::shared_ptr<NmtModel> NmtModel::load(const std::string& path) {
    if (!fileExists(path)) {
        throw std::runtime_error(path + ": model file not found");
    }
    const std::string bytes = readFileBytes(path);
    Reader in(path, bytes);
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
        throw std::runtime_error(path + ": not a MoE Workbench model file (wrong magic bytes)");
    }
    in.take(sizeof kMagic, "magic");
    const auto version = in.pod<uint32_t>("format version");
    if (version > kFormatVersion) {
        throw std::runtime_error(path + ": model format version " + std::to_string(version) +
                                 " is newer than this MoE Workbench reads (" +
                                 std::to_string(kFormatVersion) + "); update MoE Workbench");
    }
    if (version == 0) {
        throw std::runtime_error(path + ": invalid model format version 0");
    }
    const auto headerSize = in.pod<uint64_t>("header size");
    const char* headerBytes = in.take(headerSize, "header");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerBytes, headerBytes + headerSize);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": corrupt model header (" + e.what() + ")");
    }
    TransformerConfig config;
    try {
        config = TransformerConfig::fromJson(header.at("config"));
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    const auto tokenizerSize = in.pod<uint64_t>("tokenizer size");
    const std::string tokenizerBytes(in.take(tokenizerSize, "tokenizer"), tokenizerSize);
    const std::size_t dataStart = in.offset();
    const std::size_t dataBytes = header.value("data_bytes", std::size_t{0});
    if (dataStart + dataBytes > bytes.size()) {
        throw std::runtime_error(path + ": truncated model file (" + std::to_string(bytes.size()) +
                                 " bytes, expected " + std::to_string(dataStart + dataBytes) +
                                 "); copy or download it again");
    }
    auto model = std::make_shared<NmtModel>(config, SentencePieceModel::fromBytes(tokenizerBytes));
    model->m_record = header.value("record", nlohmann::json::object());
    const auto dtype = header.value("weights_dtype", std::string("float32")) == "float16"
                           ? torch::kHalf
                           : torch::kFloat;
    torch::NoGradGuard noGrad;
    auto parameters = model->m_transformer->named_parameters();
    std::size_t matched = 0;
    for (const auto& entry : header.at("tensors")) {
        const std::string name = entry.at("name");
        auto* target = parameters.find(name);
        if (!target) {
            throw std::runtime_error(path + ": weight '" + name +
                                     "' does not belong to a model of this configuration");
        }
        const auto shape = entry.at("shape").get<std::vector<int64_t>>();
        if (target->sizes().vec() != shape) {
            throw std::runtime_error(
                path + ": weight '" + name + "' has shape " + nlohmann::json(shape).dump() +
                " but the configuration needs " + nlohmann::json(target->sizes().vec()).dump() +
                " (config and weights do not match)");
        }
        const std::size_t offset = entry.at("offset"), size = entry.at("bytes");
        const std::size_t expected = target->numel() * (dtype == torch::kHalf ? 2 : 4);
        if (size != expected || offset + size > dataBytes) {
            throw std::runtime_error(path + ": weight '" + name + "' has an invalid size");
        }
        auto source = torch::from_blob(const_cast<char*>(bytes.data() + dataStart + offset), shape,
                                       torch::TensorOptions().dtype(dtype));
        target->copy_(source.to(torch::kFloat));
        ++matched;
    }
    if (matched != parameters.size()) {
        throw std::runtime_error(path + ": the file holds " + std::to_string(matched) + " of the " +
                                 std::to_string(parameters.size()) +
                                 " weights this configuration needs (config and weights do not "
                                 "match)");
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
