#include "NmtTestSupport.h"

#include "moewb/nmt/Translator.h"

#include <QtTest>

#include <cmath>
#include <functional>

using namespace moewb;

namespace {

// A model over a vocabulary of 8 pieces (4 specials + 4 real) so every output can be enumerated.
std::shared_ptr<NmtModel> microModel() {
    Feedback feedback;
    SentencePieceTrainOptions options;
    options.vocabSize = 8;
    auto tokenizer =
        SentencePieceModel::train({"a b", "b a", "ab", "ba", "a a b", "b"}, options, feedback);
    torch::manual_seed(3);
    auto config = test::tinyConfig(tokenizer.vocabSize());
    auto model = std::make_shared<NmtModel>(config, std::move(tokenizer));
    model->transformer()->eval();
    return model;
}

// Log-probability of `tokens` (+ EOS when `eos`) by re-running the full prefix.
double sequenceLogProb(NmtModel& model, const std::vector<int>& source,
                       const std::vector<int>& tokens, bool eos) {
    torch::NoGradGuard noGrad;
    auto& t = model.transformer();
    const auto src = torch::tensor(std::vector<int64_t>(source.begin(), source.end())).unsqueeze(0);
    std::vector<int64_t> in{SentencePieceModel::kBosId};
    in.insert(in.end(), tokens.begin(), tokens.end());
    std::vector<int64_t> out(tokens.begin(), tokens.end());
    if (eos) {
        out.push_back(SentencePieceModel::kEosId);
    } else {
        in.pop_back();
    }
    const auto logits = t->forward(src, torch::tensor(in).unsqueeze(0)).squeeze(0);
    const auto logp = torch::log_softmax(logits, -1);
    double sum = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        sum += logp[i][out[i]].item<double>();
    }
    return sum;
}

// GNMT's length penalty (Wu et al. 2016, "Google's Neural Machine Translation System", eq. 14;
// docs/algorithms.md, "Decoding"): lp(Y) = ((5 + |Y|) / 6)^alpha, |Y| counting the end token.
double gnmtPenalty(int length, double alpha) {
    return std::pow((5.0 + length) / 6.0, alpha);
}

}  // namespace

class TestTranslator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void greedyEqualsBeamOne() {
        auto model = test::tinyModel();
        Translator translator(model);
        std::vector<std::vector<int>> sources = {{5, 9, 12, 3}, {7, 3}, {20, 21, 22, 23, 24, 3}};
        DecodeOptions greedy;
        greedy.maxLength = 12;
        DecodeOptions beam = greedy;
        beam.beamSize = 1;
        const auto a = translator.greedySearch(sources, greedy);
        const auto b = translator.beamSearch(sources, beam);
        for (std::size_t i = 0; i < sources.size(); ++i) {
            QCOMPARE(a[i].tokens, b[i].tokens);
            QVERIFY(std::abs(a[i].logProb - b[i].logProb) < 1e-4);
            QVERIFY(std::abs(a[i].score - b[i].score) < 1e-4);
            // The greedy score is the log-probability over GNMT's penalty of the steps decoded:
            // the tokens and the end token, or the 12 tokens of the limit (every source here
            // allows 1.5 × its length + 10 ≥ 12 steps).
            const int steps = static_cast<int>(a[i].tokens.size()) +
                              (static_cast<int>(a[i].tokens.size()) < greedy.maxLength ? 1 : 0);
            QVERIFY2(std::abs(a[i].score - a[i].logProb / gnmtPenalty(steps, 0.6)) < 1e-9,
                     qPrintable(QStringLiteral("sentence %1: score %2, log-prob %3, %4 steps")
                                    .arg(i)
                                    .arg(a[i].score)
                                    .arg(a[i].logProb)
                                    .arg(steps)));
        }
    }

    // The penalty itself, by hand from its definition ((5 + length) / 6)^alpha: a change of the
    // formula (another constant, the reciprocal, length without the end token) changes these.
    void lengthPenaltyIsGnmts() {
        QCOMPARE(Translator::lengthNormaliser(1, 0.6), 1.0);                  // (6/6)^0.6
        QCOMPARE(Translator::lengthNormaliser(7, 0.6), 1.515716566510398);    // 2^0.6
        QCOMPARE(Translator::lengthNormaliser(13, 0.5), 1.7320508075688772);  // sqrt(3)
        QCOMPARE(Translator::lengthNormaliser(19, 1.0), 4.0);                 // 24/6
        QCOMPARE(Translator::lengthNormaliser(40, 0.0), 1.0);                 // alpha 0: no penalty
        // With alpha > 0 the divisor grows with the length: it offsets the lower log-probability
        // of longer outputs.
        QVERIFY(Translator::lengthNormaliser(8, 0.6) > Translator::lengthNormaliser(7, 0.6));
    }

    void beamSearchFindsBruteForceOptimum() {
        auto model = microModel();
        const int vocab = model->config().vocabSize;
        QVERIFY(vocab <= 8);
        Translator translator(model);
        const std::vector<int> source = {4, 5, 4, SentencePieceModel::kEosId};
        DecodeOptions options;
        options.maxLength = 4;
        options.lengthPenalty = 0.6;
        // A beam wider than every candidate at every step makes beam search exhaustive.
        options.beamSize = 160;
        const auto best = translator.search({source}, options).at(0);

        std::vector<int> alphabet;
        for (int id = 0; id < vocab; ++id) {
            if (id != SentencePieceModel::kPadId && id != SentencePieceModel::kBosId &&
                id != SentencePieceModel::kEosId) {
                alphabet.push_back(id);
            }
        }
        double bestScore = -1e30;
        std::vector<int> bestTokens;
        std::function<void(std::vector<int>&)> enumerate = [&](std::vector<int>& prefix) {
            const int length = static_cast<int>(prefix.size());
            // End here with EOS (length + 1 tokens), or stop at the limit without EOS.
            if (length + 1 <= options.maxLength) {
                const double s = sequenceLogProb(*model, source, prefix, true) /
                                 gnmtPenalty(length + 1, options.lengthPenalty);
                if (s > bestScore) {
                    bestScore = s;
                    bestTokens = prefix;
                }
            }
            if (length == options.maxLength) {
                const double s = sequenceLogProb(*model, source, prefix, false) /
                                 gnmtPenalty(length, options.lengthPenalty);
                if (s > bestScore) {
                    bestScore = s;
                    bestTokens = prefix;
                }
                return;
            }
            for (int token : alphabet) {
                prefix.push_back(token);
                enumerate(prefix);
                prefix.pop_back();
            }
        };
        std::vector<int> prefix;
        enumerate(prefix);
        QCOMPARE(best.tokens, bestTokens);
        QVERIFY(std::abs(best.score - bestScore) < 1e-4);
        // The reported score is the log-probability over the penalty (an end token was emitted
        // unless the hypothesis hit the length limit).
        const int length = static_cast<int>(best.tokens.size()) +
                           (static_cast<int>(best.tokens.size()) < options.maxLength ? 1 : 0);
        QVERIFY(std::abs(best.score - best.logProb / gnmtPenalty(length, 0.6)) < 1e-9);

        // A beam as large as the vocabulary finds the same sequence on this model too.
        options.beamSize = vocab;
        QCOMPARE(translator.search({source}, options).at(0).tokens, bestTokens);
    }

    void translateKeepsOrderAndCountsTokens() {
        auto model = test::tinyModel();
        Translator translator(model);
        Feedback feedback;
        DecodeOptions options;
        options.batchSize = 2;
        options.maxLength = 8;
        const std::vector<std::string> sources = {"Ein Mann fährt Fahrrad.", "Wo?",
                                                  "Zwei Hunde spielen im Park."};
        const auto result = translator.translate(sources, options, feedback);
        QCOMPARE(result.translations.size(), sources.size());
        DecodeOptions one = options;
        one.batchSize = 1;
        const auto single = translator.translate({sources[2]}, one, feedback);
        QCOMPARE(single.translations[0], result.translations[2]);
        QVERIFY(result.targetTokens > 0);
        QCOMPARE(feedback.progress(), 1.0);
    }

    // An empty or blank source gives an empty translation without running the model (which,
    // given only EOS, would invent a word); the others keep their order and output.
    void emptyAndBlankSourcesGiveEmptyTranslations() {
        auto model = test::tinyModel();
        Translator translator(model);
        Feedback feedback;
        DecodeOptions options;
        options.maxLength = 8;
        const auto blanks = translator.translate({"", "   ", "\t"}, options, feedback);
        QCOMPARE(blanks.translations, std::vector<std::string>({"", "", ""}));
        QCOMPARE(blanks.targetTokens, int64_t(0));
        QCOMPARE(blanks.sourceTokens, int64_t(0));
        QCOMPARE(feedback.progress(), 1.0);
        const auto mixed = translator.translate({"", "Wo?", " "}, options, feedback);
        const auto alone = translator.translate({"Wo?"}, options, feedback);
        QCOMPARE(mixed.translations[0], std::string());
        QCOMPARE(mixed.translations[1], alone.translations[0]);
        QCOMPARE(mixed.translations[2], std::string());
        QCOMPARE(mixed.targetTokens, alone.targetTokens);
    }

    // Cancelled after its first batch, a translation stops with OperationCancelled before the
    // next batch, and the model translates exactly as before (nothing half-applied).
    void aCancelledTranslationStopsAndLeavesTheModelAsItWas() {
        auto model = test::tinyModel();
        Translator translator(model);
        DecodeOptions options;
        options.batchSize = 2;
        options.maxLength = 8;
        std::vector<std::string> sources;
        for (const auto& p : test::sixteenPairs()) {
            sources.push_back(p.source);
        }
        Feedback plain;
        const auto before = translator.translate(sources, options, plain);
        double cancelledAt = -1;
        std::unique_ptr<CallbackFeedback> cancelling;
        cancelling = std::make_unique<CallbackFeedback>([&](double fraction, const std::string&) {
            if (fraction > 0 && cancelledAt < 0) {
                cancelledAt = fraction;
                cancelling->cancel();
            }
        });
        cancelling->setThrottle(std::chrono::milliseconds(0));
        QVERIFY_THROWS_EXCEPTION(OperationCancelled,
                                 translator.translate(sources, options, *cancelling));
        QCOMPARE(cancelledAt, 2.0 / 16.0);      // after the first batch of two
        QVERIFY(cancelling->progress() < 0.5);  // it stopped there, not at the end
        const auto after = translator.translate(sources, options, plain);
        QCOMPARE(after.translations, before.translations);
    }
};

QTEST_APPLESS_MAIN(TestTranslator)
#include "test_Translator.moc"
