#include "moewb/project/Project.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/JsonFile.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace moewb;

class TestProject : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createThenOpenKeepsOptions() {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("p").toStdString();
        auto project = Project::create(folder, "/models/m.moewb");
        project.stepOptions("profile") = {{"tokens", 123}};
        project.save();
        auto reopened = Project::open(folder);
        QCOMPARE(reopened.modelPath(), std::string("/models/m.moewb"));
        QCOMPARE(reopened.stepOptions("profile")["tokens"].get<int>(), 123);
        QVERIFY(QDir(dir.filePath("p/partitions")).exists());
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, Project::create(folder));
    }
    void createsMissingParentFolders() {
        // The GUI's default project lives in a data folder a fresh account does not have.
        QTemporaryDir dir;
        const std::string folder = dir.filePath("a/b/c/default-project").toStdString();
        Project::openOrCreate(folder, "/m.moewb");
        QVERIFY(QFile::exists(dir.filePath("a/b/c/default-project/project.json")));
        QVERIFY(QDir(dir.filePath("a/b/c/default-project/profile")).exists());
    }
    void listsArtifacts() {
        QTemporaryDir dir;
        auto project = Project::create(dir.filePath("p").toStdString(), "/m.moewb");
        writeFileAtomic(project.partitionPath("metis"), "{}");
        writeFileAtomic(project.partitionPath("kmeans"), "{}");
        QCOMPARE(project.partitionNames(), (std::vector<std::string>{"kmeans", "metis"}));
        QVERIFY(project.routerNames().empty());
    }
    void refusesNewerVersionAndMissingProject() {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("p").toStdString();
        Project::create(folder, "/m.moewb");
        writeJsonFile(folder + "/project.json", Json{{"model", ""}}, "moewb-project", 99);
        try {
            Project::open(folder);
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY(std::string(e.what()).find("newer") != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 Project::open(dir.filePath("none").toStdString()));
    }
    // Found by tests/fuzz (fuzz_project): a "steps" that is not an object made stepOptions()
    // throw nlohmann's type_error, a non-string "model" did the same in modelPath().
    void refusesMistypedStepsAndModel() {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("p").toStdString();
        Project::create(folder);
        for (const char* document :
             {R"({"format": "moewb-project", "version": 1, "steps": [1, 2]})",
              R"({"format": "moewb-project", "version": 1, "steps": {}, "model": 5})"}) {
            writeFileAtomic(folder + "/project.json", document);
            try {
                Project::open(folder);
                QFAIL(document);
            } catch (const std::runtime_error& e) {
                QVERIFY2(std::string(e.what()).find(folder + "/project.json:") == 0, e.what());
            }
        }
    }
    void refusesBadArtifactNames() {
        QTemporaryDir dir;
        auto project = Project::create(dir.filePath("p").toStdString(), "/m.moewb");
        for (const char* bad : {"", "../x", "a/b", ".hidden", "a b"}) {
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, project.partitionPath(bad));
        }
    }
};

QTEST_APPLESS_MAIN(TestProject)
#include "test_Project.moc"
