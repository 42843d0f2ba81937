#include "moewb/util/ErrorText.h"

#include <torch/torch.h>

#include <QtTest>

#include <stdexcept>

using namespace moewb;

class TestErrorText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // LibTorch's checks throw c10::Error, whose what() carries a backtrace of "frame #" lines;
    // the user sees one line with LibTorch's message only.
    void aLibTorchErrorLosesItsBacktrace() {
        try {
            TORCH_CHECK(false, "expected a non-empty list of Tensors");
        } catch (const std::exception& error) {
            QVERIFY(std::string(error.what()).find("frame #") != std::string::npos);
            QVERIFY(isTorchError(error));
            QCOMPARE(errorText(error), std::string("expected a non-empty list of Tensors"));
        }
        // The same for an operation that fails inside LibTorch (the old `route --tokens 0`).
        try {
            torch::cat(std::vector<torch::Tensor>{}, 0);
            QFAIL("LibTorch concatenated nothing");
        } catch (const std::exception& error) {
            const std::string text = errorText(error);
            QVERIFY2(!text.empty() && text.find('\n') == std::string::npos &&
                         text.find("frame #") == std::string::npos &&
                         text.find("Exception raised from") == std::string::npos,
                     text.c_str());
        }
    }

    // A message that wrapped a LibTorch error keeps what came before the backtrace.
    void aWrappedBacktraceIsCutAndLinesAreJoined() {
        const std::runtime_error wrapped(
            "r.json: invalid router file (shape '[-1]' is invalid\n"
            "Exception raised from view at aten/src/ATen/native/TensorShape.cpp:1:\n"
            "frame #0: c10::Error::Error(...) + 0x8c\nframe #1: more)");
        QVERIFY(!isTorchError(wrapped));
        QCOMPARE(errorText(wrapped),
                 std::string("r.json: invalid router file (shape '[-1]' is invalid"));
        QCOMPARE(errorText(std::string("first\n  second  \n\nthird")),
                 std::string("first second third"));
        QCOMPARE(errorText(std::string("one line")), std::string("one line"));
    }
};

QTEST_APPLESS_MAIN(TestErrorText)
#include "test_ErrorText.moc"
