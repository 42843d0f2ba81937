#include "NmtTestSupport.h"

#include "moewb/moe/ExpertFfn.h"

#include <QtTest>

#include <numeric>
#include <random>

using namespace moewb;

namespace {

std::vector<int> shuffledNeurons(int dFf, unsigned seed) {
    std::vector<int> order(dFf);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    return order;
}

// Real FFN inputs: the normalised states that reach the first encoder FFN on real sentences.
torch::Tensor realInputs(NmtModel& model, const FeedForwardImpl& ffn) {
    struct Capture : FfnOverride {
        std::vector<torch::Tensor> seen;
        torch::Tensor forward(const FeedForwardImpl& f, const torch::Tensor& x) override {
            seen.push_back(x.clone());
            return f.dense(x);
        }
    };
    auto capture = std::make_shared<Capture>();
    auto ffns = model.transformer()->feedForwards();
    ffns[0]->setOverride(capture);
    torch::NoGradGuard noGrad;
    for (const auto& p : test::sixteenPairs()) {
        auto ids = model.tokenizer().encode(p.source);
        ids.push_back(SentencePieceModel::kEosId);
        const auto src = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end())).unsqueeze(0);
        model.transformer()->encode(src, model.transformer()->sourceMask(src));
    }
    ffns[0]->setOverride(nullptr);
    Q_UNUSED(ffn);
    return torch::cat(capture->seen, 0);
}

}  // namespace

class TestExpertFfn : public QObject {
    Q_OBJECT
    std::shared_ptr<NmtModel> m_model;
    torch::Tensor m_x;

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_model = test::tinyModel();
        // A fresh model's biases are zero, and a kernel that dropped one would still match
        // dense: give every FFN bias values of its own.
        torch::NoGradGuard noGrad;
        torch::manual_seed(11);
        for (const auto& ffn : m_model->transformer()->feedForwards()) {
            ffn->b1.normal_(0.0, 0.1);
            ffn->b2.normal_(0.0, 0.1);
        }
        QVERIFY(m_model->transformer()->feedForwards()[0]->b2.abs().min().item<float>() > 0);
        m_x = realInputs(*m_model, *m_model->transformer()->feedForwards()[0]);
        QVERIFY(m_x.size(0) > 100);
    }

    void permutingNeuronsLeavesDenseOutputUnchanged() {
        torch::NoGradGuard noGrad;
        const auto& ffn = *m_model->transformer()->feedForwards()[0];
        const ExpertFfn experts(ffn, shuffledNeurons(64, 1), 8);
        const double diff = (experts.dense(m_x) - ffn.dense(m_x)).abs().max().item<double>();
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
    }

    void allExpertsEqualDenseInBothStrategies() {
        torch::NoGradGuard noGrad;
        const auto& ffn = *m_model->transformer()->feedForwards()[0];
        const ExpertFfn experts(ffn, shuffledNeurons(64, 2), 8);
        const auto all = torch::arange(8).unsqueeze(0).expand({m_x.size(0), 8}).contiguous();
        for (auto strategy : {ExpertFfn::Strategy::Kernel, ExpertFfn::Strategy::Dispatch}) {
            const auto y = experts.forward(m_x, all, strategy);
            const double diff = (y - ffn.dense(m_x)).abs().max().item<double>();
            QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
        }
    }

    void strategiesAgreeOnAnySelection() {
        torch::NoGradGuard noGrad;
        const auto& ffn = *m_model->transformer()->feedForwards()[0];
        const ExpertFfn experts(ffn, shuffledNeurons(64, 3), 8);
        const auto selected = topExperts(torch::rand({m_x.size(0), 8}), 3);
        const auto a = experts.forward(m_x, selected, ExpertFfn::Strategy::Kernel);
        const auto b = experts.forward(m_x, selected, ExpertFfn::Strategy::Dispatch);
        QVERIFY((a - b).abs().max().item<double>() <= 1e-5);
    }

    void oracleErrorFallsAsKGrowsAndVanishesAtN() {
        torch::NoGradGuard noGrad;
        const auto& ffn = *m_model->transformer()->feedForwards()[0];
        const ExpertFfn experts(ffn, shuffledNeurons(64, 4), 8);
        const auto reference = ffn.dense(m_x);
        const auto scores = experts.oracleScores(m_x);
        double previous = 1e30;
        for (int k : {1, 2, 4, 8}) {
            const auto y = experts.forward(m_x, topExperts(scores, k));
            const double error =
                ((y - reference).norm(2, 1) / reference.norm(2, 1).clamp_min(1e-12))
                    .mean()
                    .item<double>();
            qInfo("K = %d: mean relative FFN error %.4f", k, error);
            QVERIFY(error < previous);
            previous = error;
            if (k == 8) {
                QVERIFY(error < 1e-5);
            }
        }
    }

    void badPartitionsAreRefused() {
        const auto& ffn = *m_model->transformer()->feedForwards()[0];
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ExpertFfn(ffn, shuffledNeurons(64, 1), 6));
        auto duplicate = shuffledNeurons(64, 1);
        duplicate[0] = duplicate[1];
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ExpertFfn(ffn, duplicate, 8));
        // 64 - 12 shared = 52 neurons do not split into 8 equal experts.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ExpertFfn(ffn, shuffledNeurons(64, 1), 8, 12));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ExpertFfn(ffn, shuffledNeurons(64, 1), 8, 64));
    }

    // MoEBERT layout: 16 shared neurons always computed, 48 dealt into 8 experts of 6.
    void sharedNeuronsKeepAllExpertsEqualToDense() {
        torch::NoGradGuard noGrad;
        const auto& ffn = *m_model->transformer()->feedForwards()[0];
        const ExpertFfn experts(ffn, shuffledNeurons(64, 5), 8, 16);
        QCOMPARE(experts.expertSize(), 6);
        QCOMPARE(experts.sharedSize(), 16);
        QCOMPARE(experts.flopsFraction(2), (16.0 + 12.0) / 64.0);
        QCOMPARE(experts.flopsFraction(8), 1.0);
        QCOMPARE(experts.w1Blocks().sizes().vec(), (std::vector<int64_t>{8, 6, 32}));
        QCOMPARE(experts.oracleScores(m_x).sizes().vec(), (std::vector<int64_t>{m_x.size(0), 8}));
        const auto reference = ffn.dense(m_x);
        QVERIFY((experts.dense(m_x) - reference).abs().max().item<double>() <= 1e-5);
        const auto all = torch::arange(8).unsqueeze(0).expand({m_x.size(0), 8}).contiguous();
        for (auto strategy : {ExpertFfn::Strategy::Kernel, ExpertFfn::Strategy::Dispatch}) {
            const double diff =
                (experts.forward(m_x, all, strategy) - reference).abs().max().item<double>();
            QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
        }
        const auto some = topExperts(torch::rand({m_x.size(0), 8}), 3);
        QVERIFY((experts.forward(m_x, some, ExpertFfn::Strategy::Kernel) -
                 experts.forward(m_x, some, ExpertFfn::Strategy::Dispatch))
                    .abs()
                    .max()
                    .item<double>() <= 1e-5);
    }

    // The shared neurons are not optional: with them, even K = 1 keeps their contribution, and
    // the oracle error still falls with K and vanishes at K = N.
    void sharedNeuronsOracleErrorFallsWithK() {
        torch::NoGradGuard noGrad;
        const auto& ffn = *m_model->transformer()->feedForwards()[0];
        ExpertPartition partition;
        partition.numExperts = 4;
        const auto order = shuffledNeurons(64, 6);
        partition.shared.assign(order.begin(), order.begin() + 8);
        for (int e = 0; e < 4; ++e) {
            partition.experts.emplace_back(order.begin() + 8 + 14 * e,
                                           order.begin() + 8 + 14 * (e + 1));
        }
        const ExpertFfn experts(ffn, partition);
        QCOMPARE(experts.expertSize(), 14);
        QCOMPARE(experts.sharedSize(), 8);
        // The partition constructor is the neuron-order one on permutation() (shared last).
        const ExpertFfn fromOrder(ffn, partition.permutation(), 4, 8);
        const auto one = torch::zeros({m_x.size(0), 1}, torch::kLong);
        QVERIFY(torch::allclose(experts.forward(m_x, one), fromOrder.forward(m_x, one)));
        const auto reference = ffn.dense(m_x);
        const auto scores = experts.oracleScores(m_x);
        double previous = 1e30;
        for (int k : {1, 2, 3, 4}) {
            const auto y = experts.forward(m_x, topExperts(scores, k));
            const double error =
                ((y - reference).norm(2, 1) / reference.norm(2, 1).clamp_min(1e-12))
                    .mean()
                    .item<double>();
            qInfo("shared 8, K = %d of 4: mean relative FFN error %.4f", k, error);
            QVERIFY(error < previous);
            previous = error;
        }
        QVERIFY(previous < 1e-5);
    }
};

QTEST_APPLESS_MAIN(TestExpertFfn)
#include "test_ExpertFfn.moc"
