// ProjectMenu: the File menu's actions and the recent-projects list (order, cap, missing folders,
// reopening through the list).
#include "JobRunner.h"
#include "ProjectMenu.h"
#include "ProjectSession.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace moewb::gui;

namespace {

const QString kOrganization = QStringLiteral("MoEWorkbenchTest");
const QString kApplication = QStringLiteral("test_ProjectMenu");

// A folder that looks like a project to the menu (it only checks for project.json).
QString makeProjectFolder(const QTemporaryDir& root, const QString& name) {
    const QString folder = root.filePath(name);
    QDir().mkpath(folder);
    QFile file(folder + "/project.json");
    file.open(QIODevice::WriteOnly);
    file.write("{}");
    return folder;
}

QStringList actionTexts(const QMenu* menu) {
    QStringList texts;
    for (const QAction* action : menu->actions()) {
        texts << action->text();
    }
    return texts;
}

}  // namespace

class TestProjectMenu : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init() { QSettings(kOrganization, kApplication).clear(); }

    void fileMenuHasTheProjectActions() {
        QMainWindow window;
        JobRunner jobs;
        ProjectSession session(&jobs);
        ProjectMenu menu(&window, &session, kOrganization, kApplication);
        QMenu* file = window.menuBar()->actions().first()->menu();
        QVERIFY(file != nullptr);
        const QStringList texts = actionTexts(file);
        for (const QString& expected :
             {QStringLiteral("&New Project…"), QStringLiteral("&Open Project…"),
              QStringLiteral("&Save"), QStringLiteral("Save &As…"),
              QStringLiteral("&Export All Figures…"), QStringLiteral("&Quit")}) {
            QVERIFY2(texts.contains(expected), qPrintable(texts.join('|')));
        }
        for (const QAction* action : file->actions()) {
            if (!action->isSeparator() && action->menu() == nullptr) {
                QVERIFY2(!action->shortcut().isEmpty(), qPrintable(action->text()));
                QVERIFY2(!action->statusTip().isEmpty(), qPrintable(action->text()));
            }
        }
        // Nothing opened yet: the recent list is empty and disabled.
        QVERIFY(!menu.recentMenu()->isEnabled());
    }

    void recentListIsNewestFirstCappedAndPersistent() {
        QTemporaryDir root;
        QStringList folders;
        for (int i = 0; i < 10; ++i) {
            folders << makeProjectFolder(root, QStringLiteral("p%1").arg(i));
        }
        {
            QMainWindow window;
            JobRunner jobs;
            ProjectSession session(&jobs);
            ProjectMenu menu(&window, &session, kOrganization, kApplication);
            for (const QString& folder : folders) {
                menu.rememberRecent(folder);
            }
            menu.rememberRecent(folders[3]);  // reopened: moves to the top, no duplicate
            const QStringList texts = actionTexts(menu.recentMenu());
            QCOMPARE(texts.size(), 8);
            QCOMPARE(texts.first(), folders[3]);
            QCOMPARE(texts[1], folders[9]);
            QCOMPARE(texts.count(folders[3]), 1);
            QVERIFY(!texts.contains(folders[0]));  // the oldest fell off
        }
        // A new window (next start) shows the same list.
        QMainWindow window;
        JobRunner jobs;
        ProjectSession session(&jobs);
        ProjectMenu menu(&window, &session, kOrganization, kApplication);
        QCOMPARE(actionTexts(menu.recentMenu()).first(), folders[3]);
        QVERIFY(menu.recentMenu()->isEnabled());
    }

    void recentEntryReopensAndMissingOnesAreDisabled() {
        QTemporaryDir root;
        const QString kept = makeProjectFolder(root, QStringLiteral("kept"));
        const QString gone = makeProjectFolder(root, QStringLiteral("gone"));
        QMainWindow window;
        JobRunner jobs;
        ProjectSession session(&jobs);
        ProjectMenu menu(&window, &session, kOrganization, kApplication);
        menu.rememberRecent(gone);
        menu.rememberRecent(kept);
        QDir(gone).removeRecursively();
        menu.rememberRecent(kept);  // refreshes the list
        const auto actions = menu.recentMenu()->actions();
        QCOMPARE(actions.size(), 2);
        QVERIFY(actions[0]->isEnabled());
        QVERIFY(!actions[1]->isEnabled());

        QSignalSpy open(&menu, &ProjectMenu::openRequested);
        actions[0]->trigger();
        QCOMPARE(open.count(), 1);
        QCOMPARE(open.first().first().toString(), kept);
    }
};

QTEST_MAIN(TestProjectMenu)
#include "test_ProjectMenu.moc"
