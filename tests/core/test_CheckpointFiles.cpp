// A checkpoint is written as a set (CheckpointFiles.h): a run killed at any point between its
// files leaves, after recoverCheckpoint(), either the previous checkpoint or the new one, never
// new weights beside an old state.
#include "moewb/util/AtomicFile.h"
#include "moewb/util/CheckpointFiles.h"
#include "moewb/util/Paths.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

namespace {

const std::vector<std::string> kFiles = {"last.moewb", "optimizer.pt", "gate.pt"};

// The checkpoint of `version`: weights, optimizer and state all say which one they are.
void writeSet(const std::string& dir, const std::string& version, bool pending) {
    auto path = [&](const std::string& file) {
        return pending ? pendingCheckpointPath(dir + "/" + file) : dir + "/" + file;
    };
    writeFileAtomic(path("last.moewb"), "weights " + version);
    writeFileAtomic(path("optimizer.pt"), "adam " + version);
    writeFileAtomic(path("state.json"), "state " + version);
}

// "old", "new" or "mixed" (a torn checkpoint), and whether .next files are left.
std::string versionOf(const std::string& dir) {
    const std::string weights = readFileBytes(dir + "/last.moewb").substr(8);
    const std::string adam = readFileBytes(dir + "/optimizer.pt").substr(5);
    const std::string state = readFileBytes(dir + "/state.json").substr(6);
    const bool leftovers = fileExists(pendingCheckpointPath(dir + "/last.moewb")) ||
                           fileExists(pendingCheckpointPath(dir + "/optimizer.pt")) ||
                           fileExists(pendingCheckpointPath(dir + "/state.json"));
    if (weights != adam || adam != state) {
        return "mixed";
    }
    return state + (leftovers ? " with leftovers" : "");
}

}  // namespace

class TestCheckpointFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void commitReplacesTheWholeSet() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        writeSet(dir, "old", false);
        writeSet(dir, "new", true);
        commitCheckpoint(dir, "state.json", kFiles);
        QCOMPARE(versionOf(dir), std::string("new"));
        QVERIFY(!fileExists(dir + "/gate.pt"));  // a file the set does not use stays absent
    }

    // Killed after the state's .next was written, at any point of the renames: the next start
    // finishes them.
    void aCompleteSetIsRolledForward() {
        for (int renamed = 0; renamed <= 2; ++renamed) {
            QTemporaryDir tmp;
            const std::string dir = tmp.path().toStdString();
            writeSet(dir, "old", false);
            writeSet(dir, "new", true);
            for (int i = 0; i < renamed; ++i) {
                const std::string path = dir + "/" + kFiles[std::size_t(i)];
                QVERIFY(std::rename(pendingCheckpointPath(path).c_str(), path.c_str()) == 0);
            }
            QCOMPARE(versionOf(dir), std::string(renamed == 0 ? "old with leftovers" : "mixed"));
            QVERIFY(recoverCheckpoint(dir, "state.json", kFiles));
            QCOMPARE(versionOf(dir), std::string("new"));
        }
    }

    // Killed before the state's .next was written: the pieces go, the old set stays.
    void anIncompleteSetIsRolledBack() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        writeSet(dir, "old", false);
        writeFileAtomic(pendingCheckpointPath(dir + "/last.moewb"), "weights new");
        QVERIFY(!recoverCheckpoint(dir, "state.json", kFiles));
        QCOMPARE(versionOf(dir), std::string("old"));
        // A later commit that writes no weights cannot pick up the stale piece.
        writeFileAtomic(pendingCheckpointPath(dir + "/optimizer.pt"), "adam old");
        writeFileAtomic(pendingCheckpointPath(dir + "/state.json"), "state old");
        commitCheckpoint(dir, "state.json", kFiles);
        QCOMPARE(versionOf(dir), std::string("old"));
    }

    void nothingToRecoverIsFine() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        QVERIFY(!recoverCheckpoint(dir, "state.json", kFiles));
        writeSet(dir, "old", false);
        QVERIFY(!recoverCheckpoint(dir, "state.json", kFiles));
        QCOMPARE(versionOf(dir), std::string("old"));
    }
};

QTEST_APPLESS_MAIN(TestCheckpointFiles)
#include "test_CheckpointFiles.moc"
