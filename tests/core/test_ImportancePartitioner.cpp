#include "NmtTestSupport.h"

#include "moewb/moe/ImportancePartitioner.h"
#include "moewb/moe/ModelPartitioner.h"

#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace moewb;

namespace {

// The 16 pairs as one padded teacher-forcing batch, built here without the library's batching.
struct Batch {
    torch::Tensor source, targetIn, targetOut;
};

Batch batchOf(const NmtModel& model, const std::vector<SentencePair>& pairs) {
    std::vector<std::vector<int64_t>> src, in, out;
    std::size_t s = 0, t = 0;
    for (const auto& p : pairs) {
        auto a = model.tokenizer().encode(p.source);
        auto b = model.tokenizer().encode(p.target);
        src.emplace_back(a.begin(), a.end());
        src.back().push_back(SentencePieceModel::kEosId);
        in.push_back({SentencePieceModel::kBosId});
        in.back().insert(in.back().end(), b.begin(), b.end());
        out.emplace_back(b.begin(), b.end());
        out.back().push_back(SentencePieceModel::kEosId);
        s = std::max(s, src.back().size());
        t = std::max(t, in.back().size());
    }
    auto pad = [](const std::vector<std::vector<int64_t>>& rows, std::size_t width) {
        auto tensor = torch::full({int64_t(rows.size()), int64_t(width)},
                                  int64_t(SentencePieceModel::kPadId), torch::kLong);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            tensor[r].narrow(0, 0, int64_t(rows[r].size())).copy_(torch::tensor(rows[r]));
        }
        return tensor;
    };
    return {pad(src, s), pad(in, t), pad(out, t)};
}

// Per-sentence mean target cross-entropy [B].
torch::Tensor sentenceLosses(NmtModel& model, const Batch& b) {
    const auto logits = model.transformer()->forward(b.source, b.targetIn);
    const auto ce = torch::nn::functional::cross_entropy(
                        logits.reshape({-1, logits.size(-1)}), b.targetOut.reshape({-1}),
                        torch::nn::functional::CrossEntropyFuncOptions()
                            .ignore_index(SentencePieceModel::kPadId)
                            .reduction(torch::kNone))
                        .view(b.targetOut.sizes());
    const auto real = b.targetOut.ne(SentencePieceModel::kPadId).to(torch::kFloat);
    return ce.sum(1) / real.sum(1);
}

std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<int> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        r[order[i]] = double(i);
    }
    return r;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
    const auto ra = ranks(a), rb = ranks(b);
    const double mean = (ra.size() - 1) / 2.0;
    double num = 0, da = 0, db = 0;
    for (std::size_t i = 0; i < ra.size(); ++i) {
        num += (ra[i] - mean) * (rb[i] - mean);
        da += (ra[i] - mean) * (ra[i] - mean);
        db += (rb[i] - mean) * (rb[i] - mean);
    }
    return num / std::sqrt(da * db);
}

ImportancePartitionOptions tinyOptions() {
    ImportancePartitionOptions o;
    o.numExperts = 8;
    o.sharedNeurons = 16;
    o.tokenBudget = 100000;  // all 16 pairs
    return o;
}

}  // namespace

class TestImportancePartitioner : public QObject {
    Q_OBJECT
    std::shared_ptr<NmtModel> m_model;
    NeuronImportance m_importance;

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_model = test::tinyModel(3);
        Feedback feedback;
        m_importance =
            ImportancePartitioner(tinyOptions()).measure(*m_model, test::sixteenPairs(), feedback);
        QCOMPARE(m_importance.layers.size(), std::size_t(4));
        QCOMPARE(m_importance.sentences, int64_t(16));
    }

    // I_j must equal Σ_pairs |w1_j·∇w1_j L + w2_j·∇w2_j L| computed the plain way: one backward
    // per sentence pair through the real model, reading the weight gradients.
    void importanceEqualsThePerPairTaylorFormula() {
        auto model = test::tinyModel(3);  // same weights, separate gradients
        auto ffns = model->transformer()->feedForwards();
        std::vector<std::vector<double>> expected(4, std::vector<double>(64, 0.0));
        for (const auto& pair : test::sixteenPairs()) {
            model->transformer()->zero_grad();
            sentenceLosses(*model, batchOf(*model, {pair})).sum().backward();
            for (std::size_t l = 0; l < ffns.size(); ++l) {
                const auto term = (ffns[l]->w1 * ffns[l]->w1.grad()).sum(1) +
                                  (ffns[l]->w2 * ffns[l]->w2.grad()).sum(0);
                const auto a = term.abs().to(torch::kDouble).contiguous();
                for (int j = 0; j < 64; ++j) {
                    expected[l][j] += a.data_ptr<double>()[j];
                }
            }
        }
        for (std::size_t l = 0; l < 4; ++l) {
            const double scale = *std::max_element(expected[l].begin(), expected[l].end());
            QVERIFY(scale > 0);
            for (int j = 0; j < 64; ++j) {
                const double diff = std::abs(m_importance.layers[l][j] - expected[l][j]);
                QVERIFY2(diff <= 1e-3 * scale, qPrintable(QString("layer %1 neuron %2: %3 vs %4")
                                                              .arg(l)
                                                              .arg(j)
                                                              .arg(m_importance.layers[l][j])
                                                              .arg(expected[l][j])));
            }
        }
    }

    // The Taylor estimate ranks neurons like the real loss change when a neuron is removed.
    void importanceRanksLikeRemovingTheNeuron() {
        auto model = test::tinyModel(3);
        auto ffns = model->transformer()->feedForwards();
        torch::NoGradGuard noGrad;
        const auto batch = batchOf(*model, test::sixteenPairs());
        const auto base = sentenceLosses(*model, batch);
        for (std::size_t l = 0; l < ffns.size(); ++l) {
            std::vector<double> change(64);
            for (int j = 0; j < 64; ++j) {
                const auto column = ffns[l]->w2.select(1, j).clone();
                ffns[l]->w2.select(1, j).zero_();  // neuron j no longer reaches the output
                change[j] = (sentenceLosses(*model, batch) - base).abs().sum().item<double>();
                ffns[l]->w2.select(1, j).copy_(column);
            }
            const double rho = spearman(change, m_importance.layers[l]);
            qInfo("layer %zu: Spearman(Taylor importance, loss change on removal) = %.3f", l, rho);
            QVERIFY(rho > 0.8);
        }
    }

    void partitionSharesTheMostImportantAndDealsTheRest() {
        Feedback feedback;
        const ImportancePartitioner partitioner(tinyOptions());
        const auto& importance = m_importance.layers[0];
        const auto p = partitioner.partition(importance, feedback);
        QCOMPARE(p.method, std::string("importance"));
        QCOMPARE(p.numExperts, 8);
        QCOMPARE(p.shared.size(), std::size_t(16));
        p.validate(64);  // every non-shared neuron in exactly one expert
        std::vector<int> where(64, -2);
        for (int j : p.shared) {
            where[j] = -1;
        }
        for (int e = 0; e < 8; ++e) {
            QCOMPARE(p.experts[e].size(), std::size_t(6));
            for (int j : p.experts[e]) {
                QCOMPARE(where[j], -2);
                where[j] = e;
            }
        }
        QVERIFY(std::count(where.begin(), where.end(), -2) == 0);
        // Shared = the 16 most important; the rest dealt round-robin in order of importance.
        std::vector<int> ranked(64);
        std::iota(ranked.begin(), ranked.end(), 0);
        std::stable_sort(ranked.begin(), ranked.end(),
                         [&](int a, int b) { return importance[a] > importance[b]; });
        for (int r = 0; r < 64; ++r) {
            QCOMPARE(where[ranked[r]], r < 16 ? -1 : (r - 16) % 8);
        }
        double total = 0, kept = 0;
        for (int j = 0; j < 64; ++j) {
            total += importance[j];
            kept += where[j] == -1 ? importance[j] : 0.0;
        }
        QVERIFY(std::abs(p.quality.at("importance_kept") - kept / total) < 1e-12);
        QVERIFY(p.quality.at("importance_kept") > 16.0 / 64.0);  // the top quarter holds more
        QVERIFY(p.quality.at("importance_balance") > 0.5 &&
                p.quality.at("importance_balance") <= 1);
        QCOMPARE(p.quality.at("shared_neurons"), 16.0);
        qInfo("importance_kept %.3f, importance_balance %.3f", p.quality.at("importance_kept"),
              p.quality.at("importance_balance"));
    }

    void seededSampleIsReproducible() {
        auto options = tinyOptions();
        options.tokenBudget = 60;
        Feedback feedback;
        const auto a =
            ImportancePartitioner(options).measure(*m_model, test::sixteenPairs(), feedback);
        const auto b =
            ImportancePartitioner(options).measure(*m_model, test::sixteenPairs(), feedback);
        QVERIFY(a.sentences < 16);  // the budget stops early
        QVERIFY(a.sourceTokens + a.targetTokens >= 60 - 20);
        QCOMPARE(a.layers, b.layers);
        options.seed = 2;
        const auto c =
            ImportancePartitioner(options).measure(*m_model, test::sixteenPairs(), feedback);
        QVERIFY(c.layers != a.layers);
    }

    void measuringLeavesTheModelAsItWas() {
        auto model = test::tinyModel(3);
        auto& t = model->transformer();
        t->train();
        auto ffns = t->feedForwards();
        struct Marker : FfnOverride {
            torch::Tensor forward(const FeedForwardImpl& f, const torch::Tensor& x) override {
                return f.dense(x);
            }
        };
        auto marker = std::make_shared<Marker>();
        ffns[1]->setOverride(marker);
        std::vector<torch::Tensor> before;
        for (const auto& p : t->parameters()) {
            before.push_back(p.detach().clone());
        }
        Feedback feedback;
        ImportancePartitioner(tinyOptions()).measure(*model, test::sixteenPairs(), feedback);
        QVERIFY(t->is_training());
        QCOMPARE(ffns[1]->override().get(), static_cast<FfnOverride*>(marker.get()));
        QVERIFY(!ffns[0]->override());
        const auto after = t->parameters();
        for (std::size_t i = 0; i < after.size(); ++i) {
            QVERIFY(torch::equal(after[i], before[i]));
            QVERIFY(!after[i].grad().defined());
        }
    }

    void optionsAreValidatedWithClearMessages() {
        auto options = tinyOptions();
        options.sharedNeurons = 12;  // 52 does not split into 8
        try {
            validateImportanceOptions(64, options);
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("e.g. 8 or 16") != std::string::npos, e.what());
        }
        options.numExperts = 16;
        options.sharedNeurons = 20;  // 44 does not split into 16; 16 and 32 would
        try {
            validateImportanceOptions(64, options);
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("e.g. 16 or 32") != std::string::npos, e.what());
        }
        options.sharedNeurons = 64;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validateImportanceOptions(64, options));
        options = tinyOptions();
        options.numExperts = 6;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validateImportanceOptions(64, options));
        options = tinyOptions();
        options.tokenBudget = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validateImportanceOptions(64, options));
        options = tinyOptions();
        options.sharedNeurons = 0;  // no shared neurons is allowed: plain importance dealing
        validateImportanceOptions(64, options);
        Feedback feedback;
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            ImportancePartitioner(tinyOptions()).measure(*m_model, {}, feedback));
        feedback.cancel();
        QVERIFY_THROWS_EXCEPTION(
            OperationCancelled,
            ImportancePartitioner(tinyOptions()).measure(*m_model, test::sixteenPairs(), feedback));
    }

    void modelPartitionerRunsTheImportanceMethod() {
        Feedback feedback;
        ModelPartitionOptions options;
        options.method = "importance";
        options.numExperts = 4;
        options.sharedNeurons = 8;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 partitionModel(*m_model, nullptr, options, feedback));
        const auto set = partitionModel(*m_model, nullptr, test::sixteenPairs(), options, feedback);
        QCOMPARE(set.method, std::string("importance"));
        QCOMPARE(set.layers.size(), std::size_t(4));
        QCOMPARE(set.options.at("shared_neurons").get<int>(), 8);
        QVERIFY(set.options.at("sample_sentences").get<int>() > 0);
        for (const auto& layer : set.layers) {
            layer.validate(64);
            QCOMPARE(layer.expertSize(), 14);
            QCOMPARE(layer.shared.size(), std::size_t(8));
            QVERIFY(layer.quality.count("importance_kept"));
        }
        options.sharedNeurons = 6;  // 58 does not split into 4
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            partitionModel(*m_model, nullptr, test::sixteenPairs(), options, feedback));
    }
};

QTEST_APPLESS_MAIN(TestImportancePartitioner)
#include "test_ImportancePartitioner.moc"
