// The BLAS check: Debian's LibTorch only *recommends* OpenBLAS; without it matrix products are
// ~8x slower (toolchain.md: 364 ms vs 45 ms for 1024x1024). We assert which library is mapped,
// not a time, so the test is stable on a busy machine.
#include "moewb/util/TorchRuntime.h"

#include <QtTest>

using namespace moewb;

class TestTorchRuntime : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void libtorchUsesOpenBlas() {
        configureTorchThreads();
        const BlasReport report = measureBlas(256);
        qInfo("BLAS %s, %d threads, 256x256 matmul %.2f ms", report.library.c_str(), report.threads,
              report.milliseconds);
        QVERIFY2(report.isOpenBlas, ("LibTorch is not using OpenBLAS (mapped: '" + report.library +
                                     "'); install libopenblas0-pthread")
                                        .c_str());
        QVERIFY(report.threads >= 1);
    }
};

QTEST_APPLESS_MAIN(TestTorchRuntime)
#include "test_TorchRuntime.moc"
