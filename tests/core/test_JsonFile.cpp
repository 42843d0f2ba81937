#include "moewb/util/AtomicFile.h"
#include "moewb/util/JsonFile.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

namespace {
std::string errorOf(const std::string& path, const std::string& format, int maxVersion) {
    try {
        readJsonFile(path, format, maxVersion);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}
}  // namespace

class TestJsonFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.json").toStdString();
        writeJsonFile(path, Json{{"k", 3}}, "moewb-test", 2);
        const Json read = readJsonFile(path, "moewb-test", 2);
        QCOMPARE(read["k"].get<int>(), 3);
        QCOMPARE(read["version"].get<int>(), 2);
    }
    void refusesNewerVersion() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.json").toStdString();
        writeJsonFile(path, Json::object(), "moewb-test", 5);
        const std::string error = errorOf(path, "moewb-test", 4);
        QVERIFY2(error.find("newer") != std::string::npos, error.c_str());
        QVERIFY(error.find(path) != std::string::npos);
    }
    void refusesOtherFormat() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.json").toStdString();
        writeJsonFile(path, Json::object(), "moewb-a", 1);
        QVERIFY(errorOf(path, "moewb-b", 1).find("moewb-a") != std::string::npos);
    }
    // A version of 2^32 + 1 wrapped to an accepted 1; a format name with a line break split the
    // one-line message.
    void hugeVersionsAndOddFormatsAreCleanErrors() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("v.json").toStdString();
        writeFileAtomic(path, R"({"format": "moewb-test", "version": 4294967297})");
        QVERIFY(errorOf(path, "moewb-test", 1).find("newer") != std::string::npos);
        writeFileAtomic(path, R"({"format": "a\nb", "version": 1})");
        const std::string error = errorOf(path, "moewb-test", 1);
        QVERIFY2(
            error.find('\n') == std::string::npos && error.find(R"("a\nb")") != std::string::npos,
            error.c_str());
    }
    // Found by tests/fuzz (fuzz_project): a number beyond double's range is the parser's
    // out_of_range, which escaped past the parse_error handler.
    void numberOverflowIsANamedError() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("n.json").toStdString();
        writeFileAtomic(path, "-220738741e30008");
        const std::string error = errorOf(path, "moewb-test", 1);
        QVERIFY2(error.find(path + ": not valid JSON") == 0, error.c_str());
    }
    void readsCheckedIntegers() {
        QCOMPARE(jsonInteger<int>(Json(7), "k"), 7);
        QCOMPARE(jsonInteger<uint64_t>(Json(18446744073709551615ULL), "k"), ~uint64_t{0});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, jsonInteger<int>(Json(1e300), "k"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, jsonInteger<int>(Json(1.0), "k"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, jsonInteger<int>(Json(2147483648LL), "k"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, jsonInteger<unsigned>(Json(-1), "k"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, jsonInteger<int64_t>(Json("1"), "k"));
        try {
            jsonInteger<int>(Json(-2147483649LL), "d_ff");
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()),
                     std::string("'d_ff' must be a whole number from -2147483648 to 2147483647, "
                                 "not -2147483649"));
        }
    }
    void reportsLineOfSyntaxError() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.json").toStdString();
        writeFileAtomic(path, "{\n \"a\": 1,\n \"b\": ]\n}\n");
        const std::string error = errorOf(path, "x", 1);
        QVERIFY2(error.find(path + ":3:") != std::string::npos, error.c_str());
    }
};

QTEST_APPLESS_MAIN(TestJsonFile)
#include "test_JsonFile.moc"
