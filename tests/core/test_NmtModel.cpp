#include "NmtTestSupport.h"

#include "moewb/nmt/NmtModel.h"
#include "moewb/nmt/Translator.h"
#include "moewb/util/AtomicFile.h"

#include <QTemporaryDir>
#include <QtTest>

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

}  // namespace

class TestNmtModel : public QObject {
    Q_OBJECT
    std::shared_ptr<NmtModel> m_trained;
    QTemporaryDir m_dir;
    std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

private slots:
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

    void configNotMatchingWeightsIsRefused() {
        m_trained->save(path("c.moewb"));
        std::string bytes = readFileBytes(path("c.moewb"));
        const auto at = bytes.find("\"d_ff\":64");
        QVERIFY(at != std::string::npos);
        bytes.replace(at, 9, "\"d_ff\":32");  // same length, so offsets stay valid
        writeFileAtomic(path("c.moewb"), bytes);
        const std::string error = loadError(path("c.moewb"));
        QVERIFY2(error.find("do not match") != std::string::npos, error.c_str());
    }

    void missingFileNamesIt() {
        const std::string error = loadError(path("nope.moewb"));
        QVERIFY(error.find("nope.moewb") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestNmtModel)
#include "test_NmtModel.moc"
