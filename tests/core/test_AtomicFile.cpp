#include "moewb/util/AtomicFile.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

class TestAtomicFile : public QObject {
    Q_OBJECT
private slots:
    void writesAndReadsBack() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.bin").toStdString();
        const std::string data("hello\0world", 11);
        writeFileAtomic(path, data);
        QCOMPARE(readFileBytes(path), data);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }
    void uncommittedWriterLeavesPreviousVersion() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("keep.txt").toStdString();
        writeFileAtomic(path, "old");
        {
            AtomicFileWriter writer(path);
            writer.write(std::string_view("new but never committed"));
        }
        QCOMPARE(readFileBytes(path), std::string("old"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }
    void missingFolderNamesFile() {
        try {
            writeFileAtomic("/nonexistent-folder/x.txt", "x");
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY(std::string(e.what()).find("/nonexistent-folder/x.txt") != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readFileBytes("/nonexistent-folder/y"));
    }
};

QTEST_APPLESS_MAIN(TestAtomicFile)
#include "test_AtomicFile.moc"
