// Saves that fail part-way: fsync or rename failing after the temporary file exists (a full or
// failing disk, a folder made read-only meanwhile). The test binary defines fsync() and rename()
// itself, which the linker binds ahead of the C library's for the statically linked core, so a
// chosen call fails with a chosen errno while every other call goes through. Each case checks
// the one-line error names the file and the previous version stays as it was, with no leftovers.
#include "NmtTestSupport.h"

#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/util/AtomicFile.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <dlfcn.h>

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace moewb;

namespace {

// What fails next. Only touched from the test's own thread.
struct Faults {
    int fsyncFailures = 0;           // this many next fsync() calls fail with EIO
    std::string renameTargetSuffix;  // a rename() onto a path ending so fails with EXDEV
    int renames = 0;                 // rename() calls seen
};
Faults g_faults;

bool endsWith(const char* text, const std::string& suffix) {
    const std::size_t length = std::strlen(text);
    return !suffix.empty() && length >= suffix.size() &&
           std::strcmp(text + length - suffix.size(), suffix.c_str()) == 0;
}

int filesIn(const QTemporaryDir& dir) {
    return static_cast<int>(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size());
}

std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

extern "C" int fsync(int fd) {
    using Fsync = int (*)(int);
    static const auto real = reinterpret_cast<Fsync>(::dlsym(RTLD_NEXT, "fsync"));
    if (g_faults.fsyncFailures > 0) {
        --g_faults.fsyncFailures;
        errno = EIO;
        return -1;
    }
    return real(fd);
}

extern "C" int rename(const char* from, const char* to) noexcept {
    using Rename = int (*)(const char*, const char*);
    static const auto real = reinterpret_cast<Rename>(::dlsym(RTLD_NEXT, "rename"));
    ++g_faults.renames;
    if (endsWith(to, g_faults.renameTargetSuffix)) {
        errno = EXDEV;
        return -1;
    }
    return real(from, to);
}

class TestWriteFaults : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { g_faults = Faults{}; }
    void cleanup() { g_faults = Faults{}; }

    void theHookReachesTheCore() {
        // Without this, every test below could pass with the faults never injected.
        QTemporaryDir dir;
        writeFileAtomic(dir.filePath("a").toStdString(), "x");
        QCOMPARE(g_faults.renames, 1);
    }

    void failedFsyncKeepsThePreviousVersion() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("keep.txt").toStdString();
        writeFileAtomic(path, "old");
        g_faults.fsyncFailures = 1;
        const std::string error = errorOf([&] { writeFileAtomic(path, "new"); });
        QCOMPARE(error, "cannot flush '" + path + "': Input/output error");
        QCOMPARE(readFileBytes(path), std::string("old"));
        QCOMPARE(filesIn(dir), 1);  // no temporary file left
    }

    void failedRenameKeepsThePreviousVersion() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("keep.txt").toStdString();
        writeFileAtomic(path, "old");
        g_faults.renameTargetSuffix = "keep.txt";
        const std::string error = errorOf([&] { writeFileAtomic(path, "new"); });
        QCOMPARE(error, "cannot replace '" + path + "': " + std::strerror(EXDEV));
        QCOMPARE(readFileBytes(path), std::string("old"));
        QCOMPARE(filesIn(dir), 1);
    }

    void failedModelSaveKeepsTheOldModel() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.moewb").toStdString();
        const auto first = test::tinyModel(7);
        first->save(path);
        const std::string saved = readFileBytes(path);
        const auto second = test::tinyModel(8);
        g_faults.renameTargetSuffix = "m.moewb";
        QVERIFY(errorOf([&] { second->save(path); }).find("'" + path + "'") != std::string::npos);
        g_faults.fsyncFailures = 1;
        g_faults.renameTargetSuffix.clear();
        QVERIFY(errorOf([&] { second->save(path); }).find("cannot flush '" + path) == 0);
        QCOMPARE(readFileBytes(path), saved);
        QCOMPARE(filesIn(dir), 1);
        // Still the first model, and it loads.
        const auto loaded = NmtModel::load(path);
        const auto a = loaded->transformer()->parameters();
        const auto b = first->transformer()->parameters();
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QVERIFY(torch::equal(a[i], b[i]));
        }
    }

    // The pair's second file failing must not leave a new .de beside the old .en: the .de is
    // put back (it was renamed first).
    void aFailedCorpusPairKeepsBothOldFiles() {
        QTemporaryDir dir;
        const std::string prefix = dir.filePath("split").toStdString();
        ParallelCorpus oldCorpus;
        oldCorpus.pairs = {{"alt eins", "old one"}, {"alt zwei", "old two"}};
        writeMosesCorpus(oldCorpus, prefix);
        ParallelCorpus newCorpus;
        newCorpus.pairs = {{"neu", "new"}};
        g_faults.renameTargetSuffix = "split.en";
        const std::string error = errorOf([&] { writeMosesCorpus(newCorpus, prefix); });
        QCOMPARE(error, "cannot replace '" + prefix + ".en': " + std::strerror(EXDEV));
        QCOMPARE(readFileBytes(prefix + ".de"), std::string("alt eins\nalt zwei\n"));
        QCOMPARE(readFileBytes(prefix + ".en"), std::string("old one\nold two\n"));
        QCOMPARE(filesIn(dir), 2);

        // A new pair: neither file appears.
        const std::string fresh = dir.filePath("fresh").toStdString();
        g_faults.renameTargetSuffix = "fresh.en";
        QVERIFY(errorOf([&] { writeMosesCorpus(newCorpus, fresh); }).find("fresh.en") !=
                std::string::npos);
        QVERIFY(!QFile::exists(QString::fromStdString(fresh + ".de")));
        QCOMPARE(filesIn(dir), 2);

        // A flush failing: nothing is renamed at all.
        g_faults = Faults{};
        g_faults.fsyncFailures = 1;
        QVERIFY(errorOf([&] { writeMosesCorpus(newCorpus, prefix); }).find("cannot flush '") == 0);
        QCOMPARE(readFileBytes(prefix + ".de"), std::string("alt eins\nalt zwei\n"));
        QCOMPARE(filesIn(dir), 2);

        // Without faults the new pair lands whole.
        g_faults = Faults{};
        writeMosesCorpus(newCorpus, prefix);
        QCOMPARE(readFileBytes(prefix + ".de"), std::string("neu\n"));
        QCOMPARE(readFileBytes(prefix + ".en"), std::string("new\n"));
        QCOMPARE(filesIn(dir), 2);
    }
};

QTEST_APPLESS_MAIN(TestWriteFaults)
#include "test_WriteFaults.moc"
