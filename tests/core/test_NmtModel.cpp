#include "NmtTestSupport.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/nmt/Translator.h"
#include "moewb/util/AtomicFile.h"

#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace moewb;

namespace {

std::vector<std::string> sources() {
    std::vector<std::string> out;
    for (const auto& p : test::sixteenPairs()) {
        out.push_back(p.source);
    }
    return out;
}

std::vector<std::string> greedy(const std::shared_ptr<NmtModel>& model) {
    Feedback feedback;
    return Translator(model).translate(sources(), DecodeOptions{}, feedback).translations;
}

std::string loadError(const std::string& path) {
    try {
        NmtModel::load(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

// A model file taken apart (layout in NmtModel.cpp), to craft damaged or hostile variants and
// put them back together with consistent sizes and, for version 2, a matching checksum.
struct ModelFileParts {
    uint32_t version = 0;
    nlohmann::json header;
    std::string tokenizer;
    std::string data;

    static ModelFileParts of(const std::string& bytes) {
        ModelFileParts parts;
        std::size_t at = 8;
        auto pod = [&](auto& value) {
            std::memcpy(&value, bytes.data() + at, sizeof value);
            at += sizeof value;
        };
        pod(parts.version);
        uint64_t size = 0;
        pod(size);
        parts.header = nlohmann::json::parse(bytes.substr(at, size));
        at += size;
        pod(size);
        parts.tokenizer = bytes.substr(at, size);
        at += size;
        parts.data = bytes.substr(at, bytes.size() - at - (parts.version >= 2 ? 4 : 0));
        return parts;
    }
    std::string bytes() const {
        std::string out("MOEWBNMT");
        auto pod = [&](auto value) {
            out.append(reinterpret_cast<const char*>(&value), sizeof value);
        };
        const std::string headerText = header.dump();
        pod(version);
        pod(uint64_t(headerText.size()));
        out += headerText;
        pod(uint64_t(tokenizer.size()));
        out += tokenizer + data;
        if (version >= 2) {
            pod(uint32_t(crc32(0, reinterpret_cast<const Bytef*>(out.data()), out.size())));
        }
        return out;
    }
    // Version 1 as written before checksums: no crc, no per-tensor dtype.
    ModelFileParts asVersion1() const {
        ModelFileParts v1 = *this;
        v1.version = 1;
        for (auto& tensor : v1.header["tensors"]) {
            tensor.erase("dtype");
        }
        return v1;
    }
    nlohmann::json& tensor(const std::string& name) {
        for (auto& t : header["tensors"]) {
            if (t["name"] == name) {
                return t;
            }
        }
        throw std::logic_error("no tensor " + name);
    }
};

}  // namespace

class TestNmtModel : public QObject {
    Q_OBJECT
    std::shared_ptr<NmtModel> m_trained;
    QTemporaryDir m_dir;
    std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_trained = test::trainTinyModel(60).model;
    }

    void saveLoadGivesBitIdenticalGreedyOutput() {
        m_trained->save(path("m.moewb"));
        auto loaded = NmtModel::load(path("m.moewb"));
        QCOMPARE(greedy(loaded), greedy(m_trained));
        for (const auto& item : m_trained->transformer()->named_parameters()) {
            QVERIFY(
                torch::equal(item.value(), loaded->transformer()->named_parameters()[item.key()]));
        }
        QCOMPARE(loaded->record()["data"].get<std::string>(), std::string("16 test pairs"));
    }

    void float16StorageChangesNoGreedyOutput() {
        m_trained->save(path("h.moewb"), WeightPrecision::Float16);
        m_trained->save(path("f.moewb"), WeightPrecision::Float32);
        const auto half = readFileBytes(path("h.moewb")).size();
        const auto full = readFileBytes(path("f.moewb")).size();
        // Only the weights shrink: two bytes less per parameter (plus a few header digits).
        const auto saved = static_cast<int64_t>(full - half) - m_trained->parameterCount() * 2;
        QVERIFY(saved >= 0 && saved < 1024);
        QCOMPARE(greedy(NmtModel::load(path("h.moewb"))), greedy(m_trained));
    }

    void newerVersionIsRefused() {
        m_trained->save(path("v.moewb"));
        std::string bytes = readFileBytes(path("v.moewb"));
        bytes[8] = 99;  // the u32 version follows the 8 magic bytes
        writeFileAtomic(path("v.moewb"), bytes);
        const std::string error = loadError(path("v.moewb"));
        QVERIFY2(error.find("newer") != std::string::npos, error.c_str());
    }

    void truncatedFileIsRefused() {
        m_trained->save(path("t.moewb"));
        std::string bytes = readFileBytes(path("t.moewb"));
        for (std::size_t keep : {bytes.size() - 100, std::size_t(30), std::size_t(10)}) {
            writeFileAtomic(path("t.moewb"), bytes.substr(0, keep));
            const std::string error = loadError(path("t.moewb"));
            QVERIFY2(error.find("truncated") != std::string::npos, error.c_str());
        }
    }

    void wrongMagicIsRefused() {
        writeFileAtomic(path("x.moewb"), "PK\x03\x04 certainly not a model file at all");
        const std::string error = loadError(path("x.moewb"));
        QVERIFY2(error.find("not a MoE Workbench model") != std::string::npos, error.c_str());
    }

    // Writes `parts` as `name` and returns the load error ("" when it loads).
    std::string craftedError(const char* name, const ModelFileParts& parts) {
        writeFileAtomic(path(name), parts.bytes());
        return loadError(path(name));
    }
    ModelFileParts savedParts(WeightPrecision precision = WeightPrecision::Float32) {
        m_trained->save(path("saved.moewb"), precision);
        return ModelFileParts::of(readFileBytes(path("saved.moewb")));
    }
    static bool has(const std::string& error, const std::string& part) {
        if (error.find(part) == std::string::npos) {
            qWarning("error '%s' lacks '%s'", error.c_str(), part.c_str());
            return false;
        }
        return true;
    }

    void configNotMatchingWeightsIsRefused() {
        auto parts = savedParts();
        parts.header["config"]["d_ff"] = 32;
        QVERIFY(has(craftedError("c.moewb", parts), "do not match"));
    }

    void savesVersion2WithChecksumOverEverything() {
        m_trained->save(path("v2.moewb"));
        const std::string bytes = readFileBytes(path("v2.moewb"));
        auto parts = ModelFileParts::of(bytes);
        QCOMPARE(parts.version, 2u);
        QCOMPARE(parts.bytes(), bytes);  // the last 4 bytes are the crc32 of all before them
        QCOMPARE(parts.tensor("embedding.weight")["dtype"].get<std::string>(),
                 std::string("float32"));
    }

    void version1StillLoads() {
        const auto v1 = savedParts(WeightPrecision::Float16).asVersion1();
        QCOMPARE(craftedError("v1.moewb", v1), std::string());
        QCOMPARE(greedy(NmtModel::load(path("v1.moewb"))), greedy(m_trained));
        for (const char* shipped :
             {"/resources/models/default.moewb", "/resources/models/default-moe/model.moewb"}) {
            const std::string file = std::string(MOEWB_SOURCE_DIR) + shipped;
            // Shipped as version 2 (checksummed); the same weights as version 1 load too.
            const auto parts = ModelFileParts::of(readFileBytes(file));
            QCOMPARE(parts.version, 2u);
            QCOMPARE(loadError(file), std::string());
            QCOMPARE(craftedError("shipped-v1.moewb", parts.asVersion1()), std::string());
        }
    }

    void version3IsRefused() {
        auto parts = savedParts();
        parts.version = 3;
        QCOMPARE(craftedError("v3.moewb", parts),
                 path("v3.moewb") +
                     ": model format version 3 is newer than this MoE Workbench "
                     "reads (2); update MoE Workbench");
    }

    void negativeDataBytesAndHugeOffsetAreRefused() {
        const auto v2 = savedParts();
        for (const auto& original : {v2, v2.asVersion1()}) {
            auto parts = original;  // the reported crash: both at once
            parts.header["data_bytes"] = -1;
            parts.tensor("embedding.weight")["offset"] = 100000000000;
            QVERIFY(has(craftedError("o.moewb", parts), "data_bytes is -1, not a byte count"));

            parts = original;
            parts.header["data_bytes"] = std::numeric_limits<uint64_t>::max();
            QVERIFY(has(craftedError("o.moewb", parts), "truncated model file"));

            parts = original;
            parts.tensor("embedding.weight")["offset"] = 100000000000;
            QVERIFY(has(craftedError("o.moewb", parts),
                        "weight 'embedding.weight' lies outside the weight data"));

            parts = original;
            parts.tensor("embedding.weight")["bytes"] = std::numeric_limits<uint64_t>::max();
            QVERIFY(has(craftedError("o.moewb", parts), "lies outside the weight data"));

            parts = original;
            parts.tensor("embedding.weight")["offset"] = 1e11;  // a float is no byte count
            QVERIFY(has(craftedError("o.moewb", parts), "not a byte count"));
        }
    }

    void smallBadOffsetIsRefused() {
        const auto v2 = savedParts();
        for (const auto& original : {v2, v2.asVersion1()}) {
            auto parts = original;
            auto& last = parts.header["tensors"].back();
            last["offset"] = last["offset"].get<uint64_t>() + 4;  // 4 bytes past the data
            QVERIFY(has(craftedError("s.moewb", parts), "lies outside the weight data"));

            parts = original;
            auto& tensors = parts.header["tensors"];
            tensors[2]["offset"] = tensors[1]["offset"];  // two weights on the same bytes
            QVERIFY(has(craftedError("s.moewb", parts), "overlapping or misplaced weights"));
        }
    }

    void truncatedDataIsRefusedAsTruncated() {
        auto parts = savedParts();
        parts.data.resize(parts.data.size() / 2);
        QVERIFY(has(craftedError("t2.moewb", parts), "truncated model file"));
        parts.header["data_bytes"] = parts.data.size();
        QVERIFY(has(craftedError("t2.moewb", parts), "lies outside the weight data"));
    }

    void flippedByteFailsTheChecksum() {
        m_trained->save(path("f.moewb"));
        const std::string saved = readFileBytes(path("f.moewb"));
        const std::size_t dataBytes = ModelFileParts::of(saved).data.size();
        const std::size_t tokenizerByte = saved.size() - 4 - dataBytes - 100;
        for (std::size_t at : {saved.size() - 4 - dataBytes / 2, tokenizerByte, saved.size() - 1}) {
            std::string bytes = saved;
            bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
            writeFileAtomic(path("f.moewb"), bytes);
            QCOMPARE(loadError(path("f.moewb")),
                     path("f.moewb") +
                         ": model file checksum mismatch: the file is damaged; "
                         "re-download or re-save it");
        }
    }

    void nanAndInfinityAreRefusedNamingTheTensor() {
        auto parts = savedParts();
        const auto offset = parts.tensor("decoder1.ffn.w1")["offset"].get<std::size_t>() + 8;
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(&parts.data[offset], &nan, sizeof nan);
        QVERIFY(has(craftedError("n.moewb", parts),
                    "weight 'decoder1.ffn.w1' holds NaN or infinite values"));

        auto half = savedParts(WeightPrecision::Float16).asVersion1();
        const auto at = half.tensor("encoder_norm.bias")["offset"].get<std::size_t>();
        const uint16_t plusInfinity = 0x7c00;  // float16 +inf
        std::memcpy(&half.data[at], &plusInfinity, sizeof plusInfinity);
        QVERIFY(has(craftedError("n.moewb", half),
                    "weight 'encoder_norm.bias' holds NaN or infinite values"));
    }

    void tensorListedTwiceOrMissingIsRefused() {
        auto parts = savedParts();
        auto& tensors = parts.header["tensors"];
        const std::string first = tensors[1]["name"], second = tensors[2]["name"];
        QVERIFY(tensors[1]["shape"] == tensors[2]["shape"]);  // e.g. a norm's weight and bias
        tensors[2]["name"] = first;
        QVERIFY(has(craftedError("d.moewb", parts), "weight '" + first + "' is listed twice"));

        parts = savedParts();
        const std::string last = parts.header["tensors"].back()["name"];
        const auto lastBytes = parts.header["tensors"].back()["bytes"].get<std::size_t>();
        parts.header["tensors"].erase(parts.header["tensors"].size() - 1);
        parts.data.resize(parts.data.size() - lastBytes);
        parts.header["data_bytes"] = parts.data.size();
        QVERIFY(has(craftedError("d.moewb", parts), "weight '" + last + "' is missing"));
    }

    void wrongShapeOrDtypeIsRefused() {
        auto parts = savedParts();
        parts.tensor("decoder0.ffn.w1")["shape"] = {32, 64};  // transposed: same bytes
        QVERIFY(has(craftedError("w.moewb", parts),
                    "weight 'decoder0.ffn.w1' has shape [32,64] but the configuration needs "
                    "[64,32]"));

        parts = savedParts();
        parts.tensor("decoder0.ffn.w1")["dtype"] = "int8";
        QVERIFY(has(craftedError("w.moewb", parts), "weight 'decoder0.ffn.w1' has dtype 'int8'"));

        parts = savedParts();
        parts.tensor("decoder0.ffn.w1")["dtype"] = "float16";  // but 4 bytes a value
        QVERIFY(has(craftedError("w.moewb", parts),
                    "weight 'decoder0.ffn.w1' has 8192 bytes but its shape needs 4096"));
    }

    void configTooLargeForTheFileIsRefusedBeforeBuildingIt() {
        auto parts = savedParts();
        // Beyond any model (TransformerConfig's bounds), then within them but not in the file.
        parts.header["config"]["vocab_size"] = 2000000000;
        QVERIFY(has(craftedError("h.moewb", parts), "vocab_size is 2000000000, not between"));
        parts.header["config"]["vocab_size"] = 1000000;
        QVERIFY(has(craftedError("h.moewb", parts), "(config and weights do not match)"));
        parts = savedParts();
        parts.header["config"]["max_positions"] = 2000000000;
        QVERIFY(has(craftedError("h.moewb", parts), "max_positions is 2000000000, not between"));
    }

    void bytesAfterTheWeightsAreRefused() {
        auto parts = savedParts();
        parts.data += "extra";
        QVERIFY(has(craftedError("e.moewb", parts), "5 unexpected bytes after the weights"));
        parts.header["data_bytes"] = parts.data.size();  // announced, but no weight covers them
        QVERIFY(has(craftedError("e.moewb", parts), "the weights fill"));
    }

    void missingFileNamesIt() {
        const std::string error = loadError(path("nope.moewb"));
        QVERIFY(error.find("nope.moewb") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestNmtModel)
#include "test_NmtModel.moc"
