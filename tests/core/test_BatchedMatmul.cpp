// batchedMatmul: the attention product split over threads gives torch::matmul's values and
// gradients, for training shapes, decoding shapes (one query) and non-contiguous inputs.
#include "moewb/nmt/BatchedMatmul.h"

#include <QtTest>

using namespace moewb;

namespace {

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

}  // namespace

class TestBatchedMatmul : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(3); }

    void valuesAndGradientsMatchMatmul_data() {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("queries");
        QTest::addColumn<int>("keys");
        QTest::addColumn<bool>("transposedKeys");
        QTest::newRow("training scores") << 7 << 15 << 13 << true;
        QTest::newRow("one decoding query") << 5 << 1 << 9 << true;
        QTest::newRow("weights x values") << 3 << 11 << 11 << false;
        QTest::newRow("single sentence") << 1 << 4 << 6 << true;
    }

    void valuesAndGradientsMatchMatmul() {
        QFETCH(int, batch);
        QFETCH(int, queries);
        QFETCH(int, keys);
        QFETCH(bool, transposedKeys);
        const int heads = 4, dh = 16;
        auto q = torch::randn({batch, heads, queries, dh}, torch::requires_grad());
        auto k = torch::randn({batch, heads, keys, dh}, torch::requires_grad());
        auto w = torch::randn({batch, heads, queries, keys}, torch::requires_grad());
        // Scores: q x k^T (a transposed, non-contiguous right side); context: weights x values.
        const auto left = transposedKeys ? q : w;
        const auto right = transposedKeys ? k.transpose(-2, -1) : k;
        const auto expected = torch::matmul(left, right);
        const auto actual = batchedMatmul(left, right);
        QCOMPARE(actual.sizes(), expected.sizes());
        QVERIFY(maxDiff(actual, expected) < 1e-5);

        const auto upstream = torch::randn(expected.sizes());
        const auto leaf = transposedKeys ? q : w;
        const auto expectedGrads = torch::autograd::grad({expected}, {leaf, k}, {upstream});
        const auto actualGrads = torch::autograd::grad({actual}, {leaf, k}, {upstream});
        QVERIFY(maxDiff(actualGrads[0], expectedGrads[0]) < 1e-5);
        QVERIFY(maxDiff(actualGrads[1], expectedGrads[1]) < 1e-5);
    }

    void worksWithoutGradients() {
        torch::InferenceMode inference;
        const auto a = torch::randn({2, 4, 1, 8});
        const auto b = torch::randn({2, 4, 8, 5});
        QVERIFY(maxDiff(batchedMatmul(a, b), torch::matmul(a, b)) < 1e-6);
    }
};

QTEST_APPLESS_MAIN(TestBatchedMatmul)
#include "test_BatchedMatmul.moc"
