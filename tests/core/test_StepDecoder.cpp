// StepDecoder (the raw-memory decoding step) against TransformerImpl::decodeStep, the LibTorch
// reference: the same logits within 1e-4 on a tiny model and on the shipped model, through row
// selection (beam reordering, finished rows dropped), single-threaded and split between threads,
// with an FFN override installed, and the same greedy translations of the demo set.
#include "NmtTestSupport.h"

#include "moewb/corpus/DemoSet.h"
#include "moewb/moe/MoeLayer.h"
#include "moewb/nmt/StepDecoder.h"
#include "moewb/nmt/Translator.h"

#include <QtTest>

#include <cmath>
#include <numeric>

using namespace moewb;

namespace {

torch::Tensor randomSources(int64_t rows, int64_t length, int64_t vocab, uint64_t seed) {
    torch::manual_seed(seed);
    auto src = torch::randint(4, vocab, {rows, length}, torch::kLong);
    // Padding of different lengths, so the cross-attention mask matters.
    // Every row keeps at least one real token.
    for (int64_t r = 1; r < rows; ++r) {
        const int64_t padding = r % (length - 1);
        if (padding > 0) {
            src.index_put_({r, torch::indexing::Slice(length - padding, torch::indexing::None)},
                           SentencePieceModel::kPadId);
        }
    }
    return src;
}

// Runs both decoders side by side for `steps` steps on random tokens, selecting `reorder` after
// step 2; returns the largest logit difference seen.
double largestDifference(TransformerImpl& model, int64_t rows, int steps,
                         const std::vector<int64_t>& reorder) {
    torch::InferenceMode inference;
    const auto src = randomSources(rows, 7, model.config().vocabSize, 11);
    const auto mask = model.sourceMask(src);
    const auto memory = model.encode(src, mask);
    DecoderCache cache = model.startDecoding(memory, mask);
    StepDecoder fast(model, memory, mask, steps);
    double worst = 0;
    auto tokens = torch::full({rows}, SentencePieceModel::kBosId, torch::kLong);
    for (int s = 0; s < steps; ++s) {
        const auto reference = model.decodeStep(tokens, cache);
        const auto logits = fast.step(tokens);
        const double diff = (reference - logits).abs().max().item<double>();
        worst = std::isfinite(diff) ? std::max(worst, diff) : INFINITY;  // NaN fails too
        tokens = std::get<1>(reference.max(-1));
        if (s == 2 && !reorder.empty()) {
            cache.select(torch::tensor(reorder, torch::kLong));
            fast.select(reorder);
            tokens = tokens.index_select(0, torch::tensor(reorder, torch::kLong));
        }
    }
    return worst;
}

std::shared_ptr<NmtModel> shippedModel() {
    static auto model = NmtModel::load(NmtModel::defaultModelPath());
    return model;
}

}  // namespace

class TestStepDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void tinyModelLogitsMatchTheReference() {
        auto model = test::tinyModel();
        auto& t = *model->transformer();
        QVERIFY(largestDifference(t, 1, 6, {}) < 1e-4);
        QVERIFY(largestDifference(t, 3, 6, {2, 0, 0}) < 1e-4);  // beam-style reorder
        QVERIFY(largestDifference(t, 3, 6, {1}) < 1e-4);        // rows dropped
        QVERIFY(largestDifference(t, 9, 5, {}) < 1e-4);
    }

    void shippedModelLogitsMatchTheReference() {
        auto& t = *shippedModel()->transformer();
        // 40 rows: every projection large enough to be split between the threads.
        for (int64_t rows : {1, 5, 40}) {
            const double diff = largestDifference(t, rows, 8, {});
            QVERIFY2(diff < 1e-4, qPrintable(QString("%1 rows: %2").arg(rows).arg(diff)));
        }
        QVERIFY(largestDifference(t, 4, 8, {3, 3, 1}) < 1e-4);
    }

    // The shipped model is stored in float16, so its float16 copies are exact: the step on them
    // gives the very same logits as on the float32 weights.
    void halfWeightsGiveIdenticalLogits() {
        auto model = shippedModel();
        auto& t = *model->transformer();
        const auto half = model->halfWeights();
        QVERIFY(half);
        QVERIFY(half->current());
        QVERIFY(half->find(t.embedding->weight));
        torch::InferenceMode inference;
        for (int64_t rows : {1, 40}) {
            const auto src = randomSources(rows, 9, t.config().vocabSize, 5);
            const auto mask = t.sourceMask(src);
            const auto memory = t.encode(src, mask);
            StepDecoder full(t, memory, mask, 4), halved(t, memory, mask, 4, half);
            auto tokens = torch::full({rows}, SentencePieceModel::kBosId, torch::kLong);
            for (int s = 0; s < 4; ++s) {
                const auto a = full.step(tokens), b = halved.step(tokens);
                QVERIFY2(a.equal(b), qPrintable(QString("%1 rows, step %2: %3")
                                                    .arg(rows)
                                                    .arg(s)
                                                    .arg((a - b).abs().max().item<double>())));
                tokens = std::get<1>(a.max(-1));
            }
        }
    }

    // Weights that are not float16 values get no copies; a weight changed in place makes the
    // copies stale and the model notices.
    void halfWeightsOnlyWhenExactAndCurrent() {
        auto tiny = test::tinyModel();
        QVERIFY(!tiny->halfWeights());  // random float32 initialisation
        auto model = NmtModel::load(NmtModel::defaultModelPath());
        const auto before = model->halfWeights();
        QVERIFY(before && before->current());
        {
            torch::NoGradGuard noGrad;
            model->transformer()->decoderLayers[0]->ffn->w1[0][0].add_(1e-3f);  // not a float16
        }
        QVERIFY(!before->current());
        QVERIFY(!model->halfWeights());
    }

    // With MoE layers installed the step goes through them, exactly as decodeStep does.
    void overridesAreHonoured() {
        auto model = test::tinyModel();
        auto& t = *model->transformer();
        std::vector<std::shared_ptr<MoeLayer>> layers;
        auto router = std::make_shared<OracleRouter>();
        for (auto& ffn : t.feedForwards()) {
            std::vector<int> order(64);
            std::iota(order.begin(), order.end(), 0);
            layers.push_back(
                std::make_shared<MoeLayer>(std::make_shared<ExpertFfn>(*ffn, order, 8), router, 2));
        }
        installMoe(model->transformer(), layers);
        const double diff = largestDifference(t, 3, 6, {0, 2});
        removeMoe(model->transformer());
        QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
    }

    void capacityAndRowsAreChecked() {
        auto model = test::tinyModel();
        auto& t = *model->transformer();
        torch::InferenceMode inference;
        const auto src = randomSources(2, 5, t.config().vocabSize, 3);
        const auto mask = t.sourceMask(src);
        StepDecoder decoder(t, t.encode(src, mask), mask, 1);
        const auto tokens = torch::full({2}, SentencePieceModel::kBosId, torch::kLong);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, decoder.step(tokens.narrow(0, 0, 1)));
        decoder.step(tokens);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, decoder.step(tokens));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, decoder.select({2}));
    }

    // Greedy search through StepDecoder gives the translations a plain LibTorch greedy loop over
    // decodeStep gives, on the whole demo set (batch 1 and batch 32).
    void greedyTranslationsEqualTheReferenceLoop() {
        auto model = shippedModel();
        auto& t = *model->transformer();
        const auto demo = loadDemoSet();
        std::vector<std::vector<int>> sources;
        for (const auto& pair : demo.pairs) {
            auto ids = model->tokenizer().encode(pair.source);
            ids.push_back(SentencePieceModel::kEosId);
            sources.push_back(ids);
        }
        torch::InferenceMode inference;
        DecodeOptions options;
        const Translator translator(model);
        for (int batch : {1, 32}) {
            for (std::size_t begin = 0; begin < sources.size(); begin += batch) {
                const std::vector<std::vector<int>> chunk(
                    sources.begin() + begin,
                    sources.begin() + std::min(sources.size(), begin + batch));
                const auto fast = translator.greedySearch(chunk, options);
                for (std::size_t i = 0; i < chunk.size(); ++i) {
                    // The reference: one sentence, LibTorch's decodeStep, argmax until EOS.
                    const auto src =
                        torch::tensor(std::vector<int64_t>(chunk[i].begin(), chunk[i].end()))
                            .unsqueeze(0);
                    const auto mask = t.sourceMask(src);
                    auto cache = t.startDecoding(t.encode(src, mask), mask);
                    const int64_t limit = std::min<int64_t>(
                        static_cast<int64_t>(1.5 * chunk[i].size()) + 10, options.maxLength);
                    std::vector<int> reference;
                    auto token = torch::full({1}, SentencePieceModel::kBosId, torch::kLong);
                    for (int64_t step = 0; step < limit; ++step) {
                        auto logits = t.decodeStep(token, cache);
                        logits.select(1, SentencePieceModel::kPadId).fill_(-INFINITY);
                        logits.select(1, SentencePieceModel::kBosId).fill_(-INFINITY);
                        token = std::get<1>(logits.max(-1));
                        const int id = static_cast<int>(token.item<int64_t>());
                        if (id == SentencePieceModel::kEosId) {
                            break;
                        }
                        reference.push_back(id);
                    }
                    QCOMPARE(fast[i].tokens, reference);
                }
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestStepDecoder)
#include "test_StepDecoder.moc"
