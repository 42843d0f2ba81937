#include "moewb/project/ArtifactFiles.h"

#include "moewb/util/AtomicFile.h"
#include "moewb/util/ContentHash.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"

#include <cstring>
#include <limits>
#include <stdexcept>

namespace moewb {
namespace {

constexpr char kProfileMagic[8] = {'M', 'O', 'E', 'W', 'B', 'P', 'R', 'F'};
constexpr uint32_t kProfileVersion = 1;
constexpr int kPartitionVersion = 1;

template <typename T>
void appendPod(std::string& out, T value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

void saveProfile(const std::string& path, const ProfileResult& profile) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : profile.layers) {
        if (layer.tokens >= std::numeric_limits<uint32_t>::max()) {
            throw std::invalid_argument("profile too large for the file format (over 2^32 tokens)");
        }
        layers.push_back({{"name", layer.name}, {"d_ff", layer.dFf}, {"tokens", layer.tokens}});
    }
    const std::string header = nlohmann::json{
        {"layers", layers},
        {"source_tokens", profile.sourceTokens},
        {"target_tokens", profile.targetTokens},
        {"sentences",
         profile.sentences}}.dump();
    std::string prefix(kProfileMagic, sizeof kProfileMagic);
    appendPod<uint32_t>(prefix, kProfileVersion);
    appendPod<uint64_t>(prefix, header.size());
    prefix += header;
    AtomicFileWriter writer(path);
    writer.write(prefix);
    for (const auto& layer : profile.layers) {
        writer.write(layer.activations.data(), layer.activations.size() * sizeof(int64_t));
        std::vector<uint32_t> counts(layer.coActivation.begin(), layer.coActivation.end());
        writer.write(counts.data(), counts.size() * sizeof(uint32_t));
    }
    writer.commit();
}

ProfileResult loadProfile(const std::string& path) {
    if (!fileExists(path)) {
        throw std::runtime_error(path + ": no profile yet; run the profile step first");
    }
    const std::string bytes = readFileBytes(path);
    std::size_t offset = 0;
    auto take = [&](std::size_t n, const char* what) {
        if (offset + n > bytes.size()) {
            throw std::runtime_error(path + ": truncated profile file (ends inside the " +
                                     std::string(what) + "); run the profile step again");
        }
        const char* p = bytes.data() + offset;
        offset += n;
        return p;
    };
    if (bytes.size() < 8 || std::memcmp(bytes.data(), kProfileMagic, 8) != 0) {
        throw std::runtime_error(path + ": not a MoE Workbench profile file (wrong magic bytes)");
    }
    take(8, "magic");
    uint32_t version;
    std::memcpy(&version, take(4, "version"), 4);
    if (version > kProfileVersion) {
        throw std::runtime_error(path + ": profile format version " + std::to_string(version) +
                                 " is newer than this MoE Workbench reads; update it");
    }
    uint64_t headerSize;
    std::memcpy(&headerSize, take(8, "header size"), 8);
    const char* headerText = take(headerSize, "header");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerText, headerText + headerSize);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": corrupt profile header (" + e.what() + ")");
    }
    ProfileResult profile;
    profile.sourceTokens = header.value("source_tokens", int64_t{0});
    profile.targetTokens = header.value("target_tokens", int64_t{0});
    profile.sentences = header.value("sentences", int64_t{0});
    for (const auto& entry : header.at("layers")) {
        LayerProfile layer;
        layer.name = entry.at("name");
        layer.dFf = entry.at("d_ff");
        layer.tokens = entry.at("tokens");
        const std::size_t n = static_cast<std::size_t>(layer.dFf);
        layer.activations.resize(n);
        std::memcpy(layer.activations.data(), take(n * sizeof(int64_t), "activation counts"),
                    n * sizeof(int64_t));
        const auto* counts =
            reinterpret_cast<const uint32_t*>(take(n * n * sizeof(uint32_t), "co-activation"));
        layer.coActivation.resize(n * n);
        for (std::size_t i = 0; i < n * n; ++i) {
            uint32_t v;
            std::memcpy(&v, counts + i, sizeof v);
            layer.coActivation[i] = v;
        }
        profile.layers.push_back(std::move(layer));
    }
    return profile;
}

void savePartitionSet(const std::string& path, const PartitionSet& set) {
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t i = 0; i < set.layers.size(); ++i) {
        auto layer = set.layers[i].toJson();
        layer["layer"] = i < set.layerNames.size() ? set.layerNames[i] : std::to_string(i);
        layers.push_back(layer);
    }
    writeJsonFile(path, {{"method", set.method}, {"options", set.options}, {"layers", layers}},
                  "moewb-partition", kPartitionVersion);
}

PartitionSet loadPartitionSet(const std::string& path) {
    const auto document = readJsonFile(path, "moewb-partition", kPartitionVersion);
    PartitionSet set;
    try {
        set.method = document.at("method");
        set.options = document.value("options", nlohmann::json::object());
        for (const auto& layer : document.at("layers")) {
            set.layerNames.push_back(layer.value("layer", std::string()));
            set.layers.push_back(ExpertPartition::fromJson(layer));
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": invalid partition file (" + e.what() + ")");
    }
    return set;
}

std::string partitionHash(const std::vector<uint64_t>& layerHashes) {
    ContentHash hash;
    hash.add(static_cast<int64_t>(layerHashes.size()));
    for (uint64_t layer : layerHashes) {
        hash.add(static_cast<int64_t>(layer));
    }
    return hash.hex();
}

std::string partitionHash(const PartitionSet& set) {
    std::vector<uint64_t> layers;
    for (const auto& layer : set.layers) {
        layers.push_back(layer.layoutHash());
    }
    return partitionHash(layers);
}

}  // namespace moewb
