// Tests CorpusError's message format: "FILE:LINE: problem (what to do)".
#include "moewb/corpus/CorpusError.h"

#include <QtTest>

using moewb::CorpusError;

class TestCorpusError : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesFileAndLine() {
        const CorpusError error("/data/train.de", 42, "invalid UTF-8 (convert it)");
        QCOMPARE(std::string(error.what()),
                 std::string("/data/train.de:42: invalid UTF-8 (convert it)"));
        QCOMPARE(error.file(), std::string("/data/train.de"));
        QCOMPARE(error.line(), std::size_t(42));
        QCOMPARE(error.problem(), std::string("invalid UTF-8 (convert it)"));
    }

    void omitsLineZero() {
        const CorpusError error("a.tsv", 0, "file not found (check the path)");
        QCOMPARE(std::string(error.what()), std::string("a.tsv: file not found (check the path)"));
        QCOMPARE(error.line(), std::size_t(0));
    }

    void isARuntimeError() {
        try {
            throw CorpusError("x", 1, "y");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()), std::string("x:1: y"));
            return;
        }
        QFAIL("not caught as std::runtime_error");
    }
};

QTEST_APPLESS_MAIN(TestCorpusError)
#include "test_CorpusError.moc"
