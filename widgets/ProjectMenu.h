#pragma once
// The File menu: New / Open / Open Recent / Save / Save As / Export All Figures / Quit, and the
// recent-projects list it keeps in QSettings. Opening and exporting are asked of the main window
// through signals, so this class knows nothing about the views.

#include <QObject>
#include <QString>

class QMainWindow;
class QMenu;

namespace moewb::gui {

class ProjectSession;

class ProjectMenu : public QObject {
    Q_OBJECT

public:
    // Adds the File menu to `window`'s menu bar. `organization`/`application` name the QSettings
    // file holding the recent list ("recentProjects", newest first, at most 8).
    ProjectMenu(QMainWindow* window, ProjectSession* session, const QString& organization,
                const QString& application);

    // Puts `folder` first in the recent list (called once a project has opened).
    void rememberRecent(const QString& folder);
    QMenu* recentMenu() const { return m_recentMenu; }

Q_SIGNALS:
    // The user chose a project folder to open (New: an empty one; Open / Recent: a project).
    void openRequested(const QString& folder);
    // The user chose a folder for every figure of the project.
    void exportAllRequested(const QString& folder);

private:
    void refreshRecentMenu();
    void showOutcome(const QString& message);

    QMainWindow* m_window;
    ProjectSession* m_session;
    QString m_organization;
    QString m_application;
    QMenu* m_recentMenu = nullptr;
};

}  // namespace moewb::gui
