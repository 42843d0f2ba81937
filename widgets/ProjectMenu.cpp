#include "ProjectMenu.h"

#include "ProjectSession.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace moewb::gui {

namespace {

const char* const kRecentKey = "recentProjects";
constexpr int kRecentCount = 8;
constexpr int kOutcomeMessageMs = 15000;

}  // namespace

ProjectMenu::ProjectMenu(QMainWindow* window, ProjectSession* session, const QString& organization,
                         const QString& application)
    : QObject(window),
      m_window(window),
      m_session(session),
      m_organization(organization),
      m_application(application) {
    QMenu* file = window->menuBar()->addMenu(tr("&File"));
    QAction* create = file->addAction(tr("&New Project…"), this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(
            m_window, tr("Folder of the new project (on the shipped model)"));
        if (folder.isEmpty()) {
            return;
        }
        if (QFileInfo::exists(folder + "/project.json")) {
            QMessageBox::warning(m_window, tr("New Project"),
                                 tr("%1 already holds a project; use Open Project.").arg(folder));
            return;
        }
        Q_EMIT openRequested(folder);
    });
    create->setShortcut(QKeySequence::New);
    create->setStatusTip(tr("Start a project in an empty folder, on the shipped default model"));
    QAction* open = file->addAction(tr("&Open Project…"), this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(m_window, tr("Open Project"));
        if (folder.isEmpty()) {
            return;
        }
        if (!QFileInfo::exists(folder + "/project.json")) {
            QMessageBox::warning(
                m_window, tr("Open Project"),
                tr("%1 has no project.json; use New Project to start one there.").arg(folder));
            return;
        }
        Q_EMIT openRequested(folder);
    });
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(tr("Open a project folder"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    refreshRecentMenu();
    QAction* save = file->addAction(tr("&Save"), this, [this] {
        QString error;
        if (!m_session->save(&error)) {
            QMessageBox::warning(m_window, tr("Save"), error);
        } else {
            showOutcome(tr("Saved %1").arg(m_session->folder()));
        }
    });
    save->setShortcut(QKeySequence::Save);
    save->setStatusTip(tr("Write project.json (artifacts are saved as each step finishes)"));
    QAction* saveAs = file->addAction(tr("Save &As…"), this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(m_window, tr("Copy the project to"));
        if (!folder.isEmpty()) {
            m_session->saveAs(folder);
        }
    });
    // Explicit: QKeySequence::SaveAs is empty on some platforms (e.g. offscreen).
    saveAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    saveAs->setStatusTip(tr("Copy the project with all its artifacts to another folder"));
    file->addSeparator();
    QAction* exportAll = file->addAction(tr("&Export All Figures…"), this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(m_window, tr("Export all figures to"));
        if (!folder.isEmpty()) {
            Q_EMIT exportAllRequested(folder);
        }
    });
    exportAll->setObjectName(QStringLiteral("actionExportAll"));
    exportAll->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAll->setStatusTip(tr("Write every figure as PNG (300 DPI), PDF and SVG"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), m_window, &QWidget::close);
    quit->setObjectName(QStringLiteral("actionQuit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    quit->setStatusTip(tr("Close the workbench; running jobs are cancelled"));
}

void ProjectMenu::rememberRecent(const QString& folder) {
    QSettings settings(m_organization, m_application);
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(folder);
    recent.prepend(folder);
    settings.setValue(kRecentKey, QStringList(recent.mid(0, kRecentCount)));
    refreshRecentMenu();
}

void ProjectMenu::refreshRecentMenu() {
    m_recentMenu->clear();
    const QSettings settings(m_organization, m_application);
    const QStringList recent = settings.value(kRecentKey).toStringList();
    for (const QString& folder : recent) {
        QAction* action =
            m_recentMenu->addAction(folder, this, [this, folder] { Q_EMIT openRequested(folder); });
        // A moved or deleted project stays listed (the user recognises it) but cannot be chosen.
        action->setEnabled(QFileInfo::exists(folder + "/project.json"));
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void ProjectMenu::showOutcome(const QString& message) {
    m_window->statusBar()->showMessage(message, kOutcomeMessageMs);
}

}  // namespace moewb::gui
