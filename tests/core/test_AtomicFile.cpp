#include "moewb/util/AtomicFile.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

using namespace moewb;

namespace {

mode_t modeOf(const std::string& path) {
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0 ? info.st_mode : 0;
}

int filesIn(const QTemporaryDir& dir) {
    return static_cast<int>(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size());
}

// Everything a non-blocking reader of `fd` gets until the writers are gone.
std::string drain(int fd) {
    std::string out;
    char buffer[256];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            out.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            return out;
        }
    }
}

// A FIFO written through writeFileAtomic reaches its reader and stays a FIFO. The reader opens
// first and does not block, so a wrong implementation fails here instead of hanging.
bool fifoIsWrittenInPlace(const std::string& fifo) {
    if (::mkfifo(fifo.c_str(), 0600) != 0) {
        return false;
    }
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    writeFileAtomic(fifo, "through the pipe\n");
    const std::string received = drain(reader);
    ::close(reader);
    return received == "through the pipe\n" && S_ISFIFO(modeOf(fifo));
}

void setModifiedAnHourAgo(const std::string& path) {
    const timespec times[2] = {{time(nullptr) - 3600, 0}, {time(nullptr) - 3600, 0}};
    ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

}  // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAndReadsBack() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.bin").toStdString();
        const std::string data("hello\0world", 11);
        writeFileAtomic(path, data);
        QCOMPARE(readFileBytes(path), data);
        QCOMPARE(filesIn(dir), 1);
    }
    void uncommittedWriterLeavesPreviousVersion() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("keep.txt").toStdString();
        writeFileAtomic(path, "old");
        {
            AtomicFileWriter writer(path);
            writer.write(std::string_view("new but never committed"));
            // The temporary file is named after the target, next to it.
            QVERIFY(QDir(dir.path())
                        .entryList(QDir::Files | QDir::Hidden)
                        .filter(QRegularExpression("^\\.keep\\.txt\\.tmp-[A-Za-z0-9]{6}$"))
                        .size() == 1);
        }
        QCOMPARE(readFileBytes(path), std::string("old"));
        QCOMPARE(filesIn(dir), 1);
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
    void folderIsRefused() {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 writeFileAtomic(dir.path().toStdString(), "x"));
    }
    void symlinkStaysAndItsTargetIsWritten() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("real"));
        const std::string target = dir.filePath("real/target.txt").toStdString();
        const std::string link = dir.filePath("link.txt").toStdString();
        writeFileAtomic(target, "old");
        QVERIFY(::symlink("real/target.txt", link.c_str()) == 0);  // relative, as ln -s makes
        writeFileAtomic(link, "new");
        QVERIFY(S_ISLNK(modeOf(link)));
        QCOMPARE(readFileBytes(target), std::string("new"));
        QCOMPARE(filesIn(dir), 1);  // the link; no temporary file left in either folder
        QCOMPARE(QDir(dir.filePath("real")).entryList(QDir::Files | QDir::Hidden).size(), 1);

        const std::string dangling = dir.filePath("dangling.txt").toStdString();
        QVERIFY(::symlink("real/created.txt", dangling.c_str()) == 0);
        writeFileAtomic(dangling, "created");
        QVERIFY(S_ISLNK(modeOf(dangling)));
        QCOMPARE(readFileBytes(dir.filePath("real/created.txt").toStdString()),
                 std::string("created"));
    }
    void fifoIsWrittenInPlaceWithoutRename() {
        QTemporaryDir dir;
        QVERIFY(fifoIsWrittenInPlace(dir.filePath("fifo").toStdString()));
        QCOMPARE(filesIn(dir), 0);  // only the FIFO, which is no file for QDir::Files
    }
    void openDescriptorIsWrittenInPlace() {
        // /dev/stdout is /proc/self/fd/1: a pipe or a file the shell opened ('>>' appends).
        int ends[2];
        QVERIFY(::pipe(ends) == 0);
        ::fcntl(ends[0], F_SETFL, O_NONBLOCK);
        writeFileAtomic("/proc/self/fd/" + std::to_string(ends[1]), "piped");
        ::close(ends[1]);
        QCOMPARE(drain(ends[0]), std::string("piped"));
        ::close(ends[0]);

        QTemporaryDir dir;
        const std::string file = dir.filePath("out.txt").toStdString();
        writeFileAtomic(file, "before\n");
        struct stat before {};
        ::stat(file.c_str(), &before);
        const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND);
        writeFileAtomic("/dev/fd/" + std::to_string(fd), "after\n");
        ::close(fd);
        struct stat after {};
        ::stat(file.c_str(), &after);
        QCOMPARE(readFileBytes(file), std::string("before\nafter\n"));
        QCOMPARE(after.st_ino, before.st_ino);  // the same file, not a replacement
    }
    void devicesAreWrittenInPlaceAndDiskFullIsReported() {
        QTemporaryDir dir;
        // Guard: only touch /dev once in-place writing works, so a broken build (run as root)
        // cannot replace the device nodes.
        QVERIFY(fifoIsWrittenInPlace(dir.filePath("guard").toStdString()));
        writeFileAtomic("/dev/null", "discarded");
        QVERIFY(S_ISCHR(modeOf("/dev/null")));
        try {
            writeFileAtomic("/dev/full", std::string(100000, 'x'));
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            const std::string error = e.what();
            QVERIFY2(error.find("cannot write '/dev/full': No space left on device") == 0,
                     e.what());
        }
        QVERIFY(S_ISCHR(modeOf("/dev/full")));
    }
    void permissionModeIsKept() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("secret.txt").toStdString();
        writeFileAtomic(path, "one");
        QVERIFY(::chmod(path.c_str(), 0600) == 0);
        writeFileAtomic(path, "two");
        QCOMPARE(modeOf(path) & 07777, mode_t(0600));
        QVERIFY(::chmod(path.c_str(), 0751) == 0);
        writeFileAtomic(path, "three");
        QCOMPARE(modeOf(path) & 07777, mode_t(0751));

        const mode_t mask = ::umask(027);  // a new file gets what the umask allows
        writeFileAtomic(dir.filePath("new.txt").toStdString(), "new");
        ::umask(mask);
        QCOMPARE(modeOf(dir.filePath("new.txt").toStdString()) & 07777, mode_t(0640));
    }
    void leftoverTempFilesOfTheDestinationAreRemoved() {
        QTemporaryDir dir;
        const auto file = [&](const char* name) { return dir.filePath(name).toStdString(); };
        for (const char* name : {".a.txt.tmp-k1ll3d", ".b.txt.tmp-k1ll3d", ".a.txt.tmp-toolong1",
                                 "a.txt.tmp-k1ll3d"}) {
            writeFileAtomic(file(name), "left over");
            setModifiedAnHourAgo(file(name));
        }
        writeFileAtomic(file(".a.txt.tmp-fresh1"), "as if this process were writing it");
        writeFileAtomic(file("a.txt"), "data");
        QVERIFY(!QFileInfo::exists(dir.filePath(".a.txt.tmp-k1ll3d")));
        for (const char* kept : {".a.txt.tmp-fresh1", ".b.txt.tmp-k1ll3d", ".a.txt.tmp-toolong1",
                                 "a.txt.tmp-k1ll3d"}) {
            QVERIFY2(QFileInfo::exists(dir.filePath(kept)), kept);
        }
        QCOMPARE(removeLeftoverTempFiles(file("b.txt")), 1);
        QCOMPARE(removeLeftoverTempFiles(file("b.txt")), 0);
    }
};

QTEST_APPLESS_MAIN(TestAtomicFile)
#include "test_AtomicFile.moc"
