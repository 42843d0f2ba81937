#include "NmtTestSupport.h"

#include "moewb/nmt/Transformer.h"

#include <QtTest>

using namespace moewb;

class TestTransformer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    // Incremental decoding (cached keys/values) must give the logits of re-running the prefix.
    void incrementalDecodingMatchesFullPrefix() {
        auto model = test::tinyModel();
        auto& t = model->transformer();
        torch::NoGradGuard noGrad;
        const auto src = torch::tensor({{5, 9, 12, 3, 0}, {7, 8, 3, 0, 0}}, torch::kLong);
        const auto tgt = torch::tensor({{2, 11, 14, 6, 20}, {2, 10, 13, 17, 9}}, torch::kLong);
        const auto mask = t->sourceMask(src);
        const auto memory = t->encode(src, mask);
        const auto full = t->decode(tgt, memory, mask);  // [B, T, V]
        auto cache = t->startDecoding(memory, mask);
        for (int64_t step = 0; step < tgt.size(1); ++step) {
            const auto logits = t->decodeStep(tgt.select(1, step), cache);
            const double diff = (logits - full.select(1, step)).abs().max().item<double>();
            QVERIFY2(diff <= 1e-5, qPrintable(QString("step %1: max diff %2").arg(step).arg(diff)));
        }
    }

    void paddingDoesNotChangeEncoderOutput() {
        auto model = test::tinyModel();
        auto& t = model->transformer();
        torch::NoGradGuard noGrad;
        const auto shortSrc = torch::tensor({{5, 9, 3}}, torch::kLong);
        const auto padded = torch::tensor({{5, 9, 3, 0, 0, 0}}, torch::kLong);
        const auto a = t->encode(shortSrc, t->sourceMask(shortSrc));
        const auto b = t->encode(padded, t->sourceMask(padded)).narrow(1, 0, 3);
        QVERIFY((a - b).abs().max().item<double>() < 1e-5);
    }

    void ffnTensorsAreExplicitAndReachable() {
        auto model = test::tinyModel();
        const auto ffns = model->transformer()->feedForwards();
        QCOMPARE(ffns.size(), std::size_t(4));
        QCOMPARE(ffns[0]->w1.sizes().vec(), (std::vector<int64_t>{64, 32}));
        QCOMPARE(ffns[0]->w2.sizes().vec(), (std::vector<int64_t>{32, 64}));
        QCOMPARE(ffns[0]->b1.size(0), int64_t(64));
        QCOMPARE(ffns[0]->b2.size(0), int64_t(32));
    }

    // Overrides see the token id of every FFN row (for routers keyed on the token): source ids
    // in the encoder, target-input ids in teacher forcing, the fed tokens in incremental steps.
    void ffnOverridesReceiveTokenIds() {
        struct IdCapture : FfnOverride {
            std::vector<torch::Tensor> ids;
            int plainCalls = 0;
            torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
                ++plainCalls;
                return ffn.dense(x);
            }
            torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x,
                                  const torch::Tensor& tokenIds) override {
                if (!tokenIds.defined() || tokenIds.dim() != 1 || tokenIds.size(0) != x.size(0) ||
                    tokenIds.scalar_type() != torch::kLong) {
                    throw std::runtime_error("bad token ids");
                }
                ids.push_back(tokenIds.clone());
                return ffn.dense(x);
            }
        };
        auto model = test::tinyModel();
        auto& t = model->transformer();
        torch::NoGradGuard noGrad;
        auto ffns = t->feedForwards();
        auto encoder = std::make_shared<IdCapture>();
        auto decoder = std::make_shared<IdCapture>();
        ffns[0]->setOverride(encoder);
        ffns[2]->setOverride(decoder);
        const auto src = torch::tensor({{5, 9, 12, 3}, {7, 8, 3, 0}}, torch::kLong);
        const auto tgt = torch::tensor({{2, 11, 14}, {2, 10, 13}}, torch::kLong);
        const auto mask = t->sourceMask(src);
        const auto memory = t->encode(src, mask);
        QCOMPARE(encoder->ids.size(), std::size_t(1));
        QVERIFY(torch::equal(encoder->ids[0], src.reshape({-1})));
        const auto full = t->decode(tgt, memory, mask);
        QVERIFY(torch::equal(decoder->ids.at(0), tgt.reshape({-1})));
        auto cache = t->startDecoding(memory, mask);
        for (int64_t step = 0; step < tgt.size(1); ++step) {
            const auto logits = t->decodeStep(tgt.select(1, step), cache);
            QVERIFY(torch::equal(decoder->ids.at(1 + step), tgt.select(1, step)));
            QVERIFY((logits - full.select(1, step)).abs().max().item<double>() <= 1e-5);
        }
        QCOMPARE(encoder->plainCalls + decoder->plainCalls, 0);
        // A bare FeedForward call without ids reaches the override with undefined ids, and an
        // override that only implements the two-argument forward still works.
        struct Plain : FfnOverride {
            torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
                return ffn.dense(x) * 0;
            }
        };
        ffns[0]->setOverride(std::make_shared<Plain>());
        QVERIFY(ffns[0]->forward(torch::ones({3, 32})).abs().sum().item<double>() == 0.0);
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            ffns[0]->forward(torch::ones({3, 32}), torch::ones({4}, torch::kLong)));
        for (auto& f : ffns) {
            f->setOverride(nullptr);
        }
    }

    void overLongSequenceIsRefused() {
        auto model = test::tinyModel();
        torch::NoGradGuard noGrad;
        const auto src = torch::ones({1, 100}, torch::kLong) * 5;
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            model->transformer()->encode(src, model->transformer()->sourceMask(src)));
    }

    // The configuration in a model file's header: sizes must be integers an int holds (a float
    // such as 1e300 was converted with undefined behaviour).
    void configFromJsonRefusesNonIntegerSizes() {
        const auto good = test::tinyConfig(120).toJson();
        QCOMPARE(TransformerConfig::fromJson(good).dFf, 64);
        for (const char* key : {"vocab_size", "d_model", "d_ff", "max_positions"}) {
            for (const nlohmann::json& value :
                 {nlohmann::json(1e300), nlohmann::json(64.5), nlohmann::json(4294967360LL)}) {
                auto bad = good;
                bad[key] = value;
                QVERIFY_THROWS_EXCEPTION(std::runtime_error, TransformerConfig::fromJson(bad));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestTransformer)
#include "test_Transformer.moc"
