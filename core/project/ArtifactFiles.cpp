#include "moewb/project/ArtifactFiles.h"

#include "moewb/util/AtomicFile.h"
#include "moewb/util/ContentHash.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"

#include <algorithm>
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
        // Compared against what is left, so that a huge n cannot wrap around.
        if (n > bytes.size() - offset) {
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
    if (version == 0) {
        throw std::runtime_error(path + ": invalid profile format version 0");
    }
    uint64_t headerSize;
    std::memcpy(&headerSize, take(8, "header size"), 8);
    const char* headerText = take(headerSize, "header");
    ProfileResult profile;
    try {
        const auto header = nlohmann::json::parse(headerText, headerText + headerSize);
        if (!header.is_object()) {
            throw std::invalid_argument("the header is not an object");
        }
        auto count = [&](const char* key) {
            const auto it = header.find(key);
            return it == header.end() ? int64_t{0} : jsonInteger<int64_t>(*it, key);
        };
        profile.sourceTokens = count("source_tokens");
        profile.targetTokens = count("target_tokens");
        profile.sentences = count("sentences");
        const auto& layers = header.at("layers");
        if (!layers.is_array()) {
            throw std::invalid_argument("'layers' is not an array");
        }
        for (const auto& entry : layers) {
            LayerProfile layer;
            layer.name = entry.at("name").get<std::string>();
            // d_ff² counts must fit the file; 2^16 neurons is far beyond any model here.
            layer.dFf = jsonInteger<int>(entry.at("d_ff"), "d_ff");
            if (layer.dFf < 1 || layer.dFf > (1 << 16)) {
                throw std::invalid_argument("layer " + jsonQuote(layer.name) + " has d_ff " +
                                            std::to_string(layer.dFf) + ", outside 1 to 65536");
            }
            layer.tokens = jsonInteger<uint32_t>(entry.at("tokens"), "tokens");
            const std::size_t n = static_cast<std::size_t>(layer.dFf);
            layer.activations.resize(n);
            std::memcpy(layer.activations.data(), take(n * sizeof(int64_t), "activation counts"),
                        n * sizeof(int64_t));
            const char* counts = take(n * n * sizeof(uint32_t), "co-activation");
            layer.coActivation.resize(n * n);
            for (std::size_t i = 0; i < n * n; ++i) {
                uint32_t v;
                std::memcpy(&v, counts + i * sizeof v, sizeof v);
                layer.coActivation[i] = v;
            }
            // No neuron fires on more tokens than the layer saw; the sums over d_ff counts
            // (sparsity, partitioners) rely on it not to overflow.
            const auto outOfRange = [&](int64_t c) { return c < 0 || c > layer.tokens; };
            if (std::any_of(layer.activations.begin(), layer.activations.end(), outOfRange) ||
                std::any_of(layer.coActivation.begin(), layer.coActivation.end(), outOfRange)) {
                throw std::invalid_argument("layer " + jsonQuote(layer.name) +
                                            " has counts outside 0 to its " +
                                            std::to_string(layer.tokens) + " tokens");
            }
            profile.layers.push_back(std::move(layer));
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": corrupt profile header (" + e.what() +
                                 "); run the profile step again");
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(path + ": corrupt profile header (" + e.what() +
                                 "); run the profile step again");
    }
    if (offset != bytes.size()) {
        throw std::runtime_error(path + ": corrupt profile file (" +
                                 std::to_string(bytes.size() - offset) +
                                 " bytes after the last layer); run the profile step again");
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
