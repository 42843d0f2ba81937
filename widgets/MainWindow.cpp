#include "MainWindow.h"

#include "JobRunner.h"
#include "OverviewView.h"

#include <metis.h>
#include <qcustomplot.h>
#include <torch/version.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QIcon>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>

namespace {

const char* const kGeometryKey = "MainWindow/geometry";
const char* const kStateKey = "MainWindow/state";
constexpr int kProgressSteps = 1000;
constexpr int kOutcomeMessageMs = 15000;

}  // namespace

QString MainWindow::organizationName() {
    return QStringLiteral("MoEWorkbench");
}

QString MainWindow::applicationName() {
    return QStringLiteral("moe-workbench");
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("MoE Workbench"));
    m_jobs = new JobRunner(this);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("views"));
    m_tabs->setDocumentMode(true);
    m_overview = new OverviewView(m_tabs);
    m_tabs->addTab(m_overview, tr("Overview"));
    m_tabs->setTabToolTip(0, tr("The pipeline steps and the data sources"));
    setCentralWidget(m_tabs);

    createMenus();
    createStatusBar();

    connect(m_jobs, &JobRunner::started, this, &MainWindow::onJobStarted);
    connect(m_jobs, &JobRunner::progress, this, &MainWindow::onJobProgress);
    connect(m_jobs, &JobRunner::succeeded, this,
            [this](int id) { onJobEnded(id, tr("“%1” finished").arg(m_running.value(id).title)); });
    connect(m_jobs, &JobRunner::cancelled, this, [this](int id) {
        onJobEnded(id, tr("“%1” cancelled").arg(m_running.value(id).title));
    });
    connect(m_jobs, &JobRunner::failed, this, [this](int id, const QString& message) {
        onJobEnded(id, tr("“%1” failed: %2").arg(m_running.value(id).title, message));
    });

    resize(1100, 720);
    const QSettings settings(organizationName(), applicationName());
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
}

// Out of line: the destructor of the JobRunner child (which waits for its workers) runs here.
MainWindow::~MainWindow() = default;

void MainWindow::createMenus() {
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    QAction* quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("actionQuit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    quit->setStatusTip(tr("Close the workbench; running jobs are cancelled"));

    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction* about = helpMenu->addAction(tr("&About MoE Workbench…"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("actionAbout"));
    about->setMenuRole(QAction::AboutRole);
    about->setStatusTip(tr("Show the version of the workbench and of the libraries it uses"));
    QAction* aboutQt = helpMenu->addAction(tr("About &Qt…"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
    aboutQt->setStatusTip(tr("Show the Qt version and licence"));
}

void MainWindow::createStatusBar() {
    m_jobLabel = new QLabel(this);
    m_jobLabel->setObjectName(QStringLiteral("jobLabel"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("jobProgress"));
    m_progress->setMaximumWidth(240);
    m_progress->setToolTip(tr("Progress of the running job"));
    m_cancel = new QToolButton(this);
    m_cancel->setObjectName(QStringLiteral("jobCancel"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the running job; the results shown so far stay as they are"));
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_running.isEmpty()) {
            return;
        }
        const int id = m_running.lastKey();
        m_jobs->cancel(id);
        m_running[id].cancelling = true;
        showCurrentJob();
    });
    statusBar()->addPermanentWidget(m_jobLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    showCurrentJob();
}

void MainWindow::onJobStarted(int id, const QString& title) {
    m_running.insert(id, RunningJob{title, 0.0, QString(), false});
    showCurrentJob();
}

void MainWindow::onJobProgress(int id, double fraction, const QString& message) {
    const auto it = m_running.find(id);
    if (it == m_running.end()) {
        return;
    }
    it->fraction = fraction;
    if (!message.isEmpty()) {  // empty means "unchanged"
        it->message = message;
    }
    if (id == m_running.lastKey()) {
        showCurrentJob();
    }
}

void MainWindow::onJobEnded(int id, const QString& outcome) {
    m_running.remove(id);
    statusBar()->showMessage(outcome, kOutcomeMessageMs);
    showCurrentJob();
}

void MainWindow::showCurrentJob() {
    const bool busy = !m_running.isEmpty();
    m_jobLabel->setVisible(busy);
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (!busy) {
        return;
    }
    const RunningJob& job = m_running.last();
    const QString message = job.cancelling ? tr("cancelling…") : job.message;
    m_jobLabel->setText(message.isEmpty() ? job.title : tr("%1: %2").arg(job.title, message));
    m_cancel->setEnabled(!job.cancelling);
    if (job.fraction <= 0.0) {
        m_progress->setRange(0, 0);  // no fraction yet: a busy indicator, not a stuck 0 %
    } else {
        m_progress->setRange(0, kProgressSteps);
        m_progress->setValue(static_cast<int>(job.fraction * kProgressSteps));
    }
}

QString MainWindow::aboutText() {
    const QString metis = QStringLiteral("%1.%2.%3")
                              .arg(METIS_VER_MAJOR)
                              .arg(METIS_VER_MINOR)
                              .arg(METIS_VER_SUBMINOR);
    return tr("<h3>MoE Workbench %1</h3>"
              "<p>See and feel the MoEfication of a German→English Transformer: profile its "
              "feed-forward layers, split them into experts, route tokens to a few of them, and "
              "measure what that does to speed and translation quality.</p>"
              "<p>Licence: GNU GPL version 3 or later.</p>")
               .arg(QStringLiteral(MOEWB_VERSION)) +
           tr("<p>Qt %1 (built with %2)<br>LibTorch %3<br>METIS %4<br>QCustomPlot %5</p>")
               .arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                    QStringLiteral(TORCH_VERSION), metis, QStringLiteral(QCUSTOMPLOT_VERSION_STR));
}

void MainWindow::showAbout() {
    QMessageBox box(this);
    box.setObjectName(QStringLiteral("aboutDialog"));
    box.setWindowTitle(tr("About MoE Workbench"));
    box.setTextFormat(Qt::RichText);
    box.setText(aboutText());
    box.setIconPixmap(QIcon(QStringLiteral(":/icons/moe-workbench.svg")).pixmap(96, 96));
    box.exec();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings(organizationName(), applicationName());
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    // Cancel now so the workers are already winding down while the window closes.
    m_jobs->cancelAll();
    event->accept();
}
