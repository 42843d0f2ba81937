#include "moewb/nmt/TransformerConfig.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <stdexcept>

using namespace moewb;

namespace {

std::string errorOf(const TransformerConfig& config) {
    try {
        config.validate();
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return {};
}

}  // namespace

class TestTransformerConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theDefaultsAreValidAndRoundTrip() {
        const TransformerConfig config;
        QVERIFY(errorOf(config).empty());
        const auto again = TransformerConfig::fromJson(config.toJson());
        QCOMPARE(again.toJson(), config.toJson());
    }

    // A crafted or mistyped size is refused by name before LibTorch allocates anything.
    void hugeOrNegativeSizesAreRefusedByName() {
        TransformerConfig config;
        config.dModel = 1 << 20;
        QVERIFY2(errorOf(config).find("d_model") != std::string::npos, errorOf(config).c_str());
        config = TransformerConfig{};
        config.dFf = -4;
        QVERIFY2(errorOf(config).find("d_ff") != std::string::npos, errorOf(config).c_str());
        config = TransformerConfig{};
        config.heads = 3;  // does not divide 256
        QVERIFY2(errorOf(config).find("heads") != std::string::npos, errorOf(config).c_str());
        // Each size within its bound, the whole far beyond memory.
        config = TransformerConfig{};
        config.dModel = 8192;
        config.dFf = 1 << 18;
        config.encoderLayers = config.decoderLayers = 64;
        QVERIFY2(errorOf(config).find("weights") != std::string::npos, errorOf(config).c_str());
        auto json = TransformerConfig{}.toJson();
        json["d_model"] = 2000000;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TransformerConfig::fromJson(json));
    }
};

QTEST_APPLESS_MAIN(TestTransformerConfig)
#include "test_TransformerConfig.moc"
