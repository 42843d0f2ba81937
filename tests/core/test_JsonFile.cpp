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
private slots:
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
