// The decode-size kernels against LibTorch's products, in every instruction set this CPU runs,
// on shapes with every kind of remainder (rows, outputs and inputs that do not fill a tile).
#include "moewb/kernels/FfnKernels.h"
#include "moewb/moe/MoeLayer.h"

#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

using namespace moewb;
using kernels::Isa;

namespace {

std::vector<Isa> supportedIsas() {
    std::vector<Isa> out;
    for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512}) {
        if (kernels::isaSupported(isa)) {
            out.push_back(isa);
        }
    }
    return out;
}

// Restores the process's choice when a test ends.
struct IsaScope {
    Isa saved = kernels::activeIsa();
    ~IsaScope() { kernels::setIsa(saved); }
};

}  // namespace

class TestFfnKernels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linearRowsMatchesTorchOnEveryShape() {
        IsaScope scope;
        torch::manual_seed(1);
        for (Isa isa : supportedIsas()) {
            kernels::setIsa(isa);
            for (int64_t rows : {1, 2, 3, 5, 9}) {
                for (int64_t inputs : {8, 13, 16, 32, 40}) {
                    for (int64_t outputs : {1, 3, 4, 7, 33, 70}) {
                        const auto x = torch::randn({rows, inputs});
                        const auto w = torch::randn({outputs, inputs});
                        const auto b = torch::randn({outputs});
                        for (bool relu : {false, true}) {
                            auto expected = torch::addmm(b, x, w.t());
                            if (relu) {
                                expected = torch::relu(expected);
                            }
                            auto y = torch::full({rows, outputs}, 99.0f);
                            kernels::linearRows(x.data_ptr<float>(), rows, inputs, inputs,
                                                w.data_ptr<float>(), b.data_ptr<float>(), outputs,
                                                y.data_ptr<float>(), outputs, relu);
                            const double diff = (y - expected).abs().max().item<double>();
                            QVERIFY2(
                                diff < 1e-4,
                                qPrintable(QString("%1 rows %2 in %3 out %4: %5")
                                               .arg(QString::fromStdString(kernels::isaName(isa)))
                                               .arg(rows)
                                               .arg(inputs)
                                               .arg(outputs)
                                               .arg(diff)));
                        }
                    }
                }
            }
        }
    }

    void linearRowsHonoursStridesAndMissingBias() {
        IsaScope scope;
        for (Isa isa : supportedIsas()) {
            kernels::setIsa(isa);
            const auto wide = torch::randn({3, 24});
            const auto x = wide.narrow(1, 0, 16);  // row stride 24
            const auto w = torch::randn({5, 16});
            auto y = torch::zeros({3, 8});  // row stride 8, 5 columns written
            kernels::linearRows(wide.data_ptr<float>(), 3, 16, 24, w.data_ptr<float>(), nullptr, 5,
                                y.data_ptr<float>(), 8, false);
            QVERIFY((y.narrow(1, 0, 5) - torch::mm(x, w.t())).abs().max().item<double>() < 1e-4);
            QCOMPARE(y.narrow(1, 5, 3).abs().sum().item<double>(), 0.0);  // untouched
        }
    }

    void addProductsAccumulatesAndSkipsZeros() {
        IsaScope scope;
        torch::manual_seed(2);
        for (Isa isa : supportedIsas()) {
            kernels::setIsa(isa);
            for (int64_t outputs : {5, 8, 64, 136, 256}) {
                auto h = torch::relu(torch::randn({4, 37}));  // about half zeros
                const auto wt = torch::randn({37, outputs});
                const auto start = torch::randn({4, outputs});
                auto y = start.clone();
                kernels::addProducts(h.data_ptr<float>(), 4, 37, 37, wt.data_ptr<float>(), outputs,
                                     y.data_ptr<float>(), outputs);
                const double diff = (y - (start + torch::mm(h, wt))).abs().max().item<double>();
                QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
            }
        }
    }

    // float16 weights: exactly the float32 kernel's results (the values are widened exactly, the
    // arithmetic is the same), in every instruction set.
    void halfWeightsComputeBitForBit() {
        IsaScope scope;
        torch::manual_seed(4);
        const auto w = torch::randn({37, 48}).to(torch::kHalf).to(torch::kFloat);
        const auto half = kernels::exactHalfCopy(w.data_ptr<float>(), w.numel());
        QCOMPARE(half.size(), std::size_t(w.numel()));
        const auto x = torch::randn({5, 48});
        const auto h = torch::relu(torch::randn({5, 37}));
        for (Isa isa : supportedIsas()) {
            kernels::setIsa(isa);
            auto a = torch::zeros({5, 37}), b = torch::zeros({5, 37});
            kernels::linearRows(x.data_ptr<float>(), 5, 48, 48, w.data_ptr<float>(), nullptr, 37,
                                a.data_ptr<float>(), 37, true);
            kernels::linearRows(x.data_ptr<float>(), 5, 48, 48, half.data(), nullptr, 37,
                                b.data_ptr<float>(), 37, true);
            QVERIFY(a.equal(b));
            auto c = torch::zeros({5, 48}), e = torch::zeros({5, 48});
            kernels::addProducts(h.data_ptr<float>(), 5, 37, 37, w.data_ptr<float>(), 48,
                                 c.data_ptr<float>(), 48);
            kernels::addProducts(h.data_ptr<float>(), 5, 37, 37, half.data(), 48,
                                 e.data_ptr<float>(), 48);
            QVERIFY(c.equal(e));
        }
    }

    // exactHalfCopy agrees with LibTorch's float16 conversion on normal, subnormal, signed and
    // extreme values, and refuses values float16 cannot hold exactly.
    void exactHalfCopyIsExactOrEmpty() {
        const std::vector<float> exact = {0.0f,           -0.0f,           1.0f,
                                          -2.5f,          65504.0f,        6.1035156e-05f,
                                          5.9604645e-08f, -3.0517578e-05f, 0.099975586f};
        const auto copy = kernels::exactHalfCopy(exact.data(), static_cast<int64_t>(exact.size()));
        QCOMPARE(copy.size(), exact.size());
        const auto expected = torch::tensor(exact).to(torch::kHalf);
        for (std::size_t i = 0; i < exact.size(); ++i) {
            uint16_t bits;
            const auto value = expected[static_cast<int64_t>(i)].item<c10::Half>();
            std::memcpy(&bits, &value, sizeof bits);
            QCOMPARE(copy[i], bits);
        }
        for (float bad : {0.1f, 65520.0f, 1e-9f, std::numeric_limits<float>::infinity()}) {
            QVERIFY(kernels::exactHalfCopy(&bad, 1).empty());
        }
    }

    // A layer whose weights are float16 values (as after loading a float16 model file) runs on
    // float16 copies of its expert blocks, with the same results as LibTorch's float32 products.
    void expertsOfAFloat16LayerUseHalfCopies() {
        torch::manual_seed(5);
        torch::NoGradGuard noGrad;
        FeedForwardImpl ffn(32, 128);
        for (auto* w : {&ffn.w1, &ffn.b1, &ffn.w2, &ffn.b2}) {
            w->copy_(w->to(torch::kHalf).to(torch::kFloat));
        }
        std::vector<int> order(128);
        std::iota(order.begin(), order.end(), 0);
        const ExpertFfn experts(ffn, order, 8);
        QVERIFY(experts.usesHalfWeights());
        const auto x = torch::randn({5, 32});
        const auto picked = topExperts(torch::rand({5, 8}), 3);
        const auto fast = experts.forward(x, picked, ExpertFfn::Strategy::Kernel);
        const auto slow = experts.forward(x, picked, ExpertFfn::Strategy::Dispatch);
        QVERIFY((fast - slow).abs().max().item<double>() < 1e-5);
        QVERIFY((experts.dense(x) - ffn.dense(x)).abs().max().item<double>() < 1e-5);
        FeedForwardImpl plain(32, 128);  // random float32 weights: no copies
        QVERIFY(!ExpertFfn(plain, order, 8).usesHalfWeights());
    }

    void unsupportedIsaIsRefused() {
        if (kernels::isaSupported(Isa::Avx512)) {
            QSKIP("this CPU runs every instruction set the kernels have");
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, kernels::setIsa(Isa::Avx512));
    }

    // MoeLayer::compute takes the kernel path up to kernelMaxTokens() tokens and LibTorch's
    // dispatch beyond; both must give the same output and the same experts for every router.
    void kernelAndDispatchPathsAgreeForEveryRouter() {
        IsaScope scope;
        torch::manual_seed(3);
        torch::NoGradGuard noGrad;
        FeedForwardImpl ffn(32, 128);
        std::vector<int> order(128);
        std::iota(order.begin(), order.end(), 0);
        std::reverse(order.begin(), order.end());
        auto experts = std::make_shared<const ExpertFfn>(ffn, order, 8, 0);
        std::vector<std::shared_ptr<const Router>> routers = {
            std::make_shared<OracleRouter>(), std::make_shared<SimilarityRouter>(*experts),
            std::make_shared<MlpRouter>(*experts), std::make_shared<HashRouter>(7, 8)};
        const auto x = torch::randn({6, 32});
        const auto ids = torch::arange(10, 16, torch::kLong);
        for (Isa isa : supportedIsas()) {
            kernels::setIsa(isa);
            for (const auto& router : routers) {
                const MoeLayer layer(experts, router, 3);
                torch::Tensor fast, slow;
                const auto a = layer.compute(x, ids, 3, &fast);
                // Beyond the kernel's size: the same rows repeated, through LibTorch.
                const int64_t copies = ExpertFfn::kernelMaxTokens() / 6 + 1;
                const auto big = x.repeat({copies, 1});
                const auto b = layer.compute(big, ids.repeat({copies}), 3, &slow);
                QVERIFY(!ExpertFfn::kernelCanRun(big));
                QVERIFY2((a - b.narrow(0, 0, 6)).abs().max().item<double>() < 1e-4,
                         router->kind().c_str());
                // The same experts (the order among equal scores may differ).
                QVERIFY2(std::get<0>(fast.sort(1)).equal(std::get<0>(slow.narrow(0, 0, 6).sort(1))),
                         router->kind().c_str());
                // K = N: the dense FFN exactly as LibTorch computes it.
                QVERIFY((layer.compute(x, ids, 8) - ffn.dense(x)).abs().max().item<double>() <
                        1e-5);
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestFfnKernels)
#include "test_FfnKernels.moc"
