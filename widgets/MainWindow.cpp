#include "MainWindow.h"

#include "AboutBox.h"
#include "CoActivationHeatmap.h"
#include "ExpertGraphView.h"
#include "FigureExporter.h"
#include "FinetuneCurveView.h"
#include "FinetuneSession.h"
#include "GateAccuracyView.h"
#include "JobRunner.h"
#include "JobStatusWidget.h"
#include "OverviewView.h"
#include "ProjectMenu.h"
#include "ProjectPanel.h"
#include "ProjectSession.h"
#include "SparsityView.h"
#include "SweepView.h"
#include "TranslatorPanel.h"

#include <cstdio>

#include "QCustomPlotHeader.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace moewb::gui {

namespace {

const char* const kGeometryKey = "MainWindow/geometry";
const char* const kStateKey = "MainWindow/state";
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
    m_session = new ProjectSession(m_jobs, this);
    createViews();
    createMenus();
    connectSession();
    m_jobStatus = new JobStatusWidget(m_jobs, this);
    statusBar()->addPermanentWidget(m_jobStatus);
    connect(m_jobStatus, &JobStatusWidget::jobEnded, this, [this](const QString& outcome) {
        statusBar()->showMessage(outcome, kOutcomeMessageMs);
    });

    resize(1280, 800);
    const QSettings settings(organizationName(), applicationName());
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
}

// Out of line: the destructor of the JobRunner child (which waits for its workers) runs here.
MainWindow::~MainWindow() = default;

void MainWindow::createViews() {
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("views"));
    m_tabs->setDocumentMode(true);
    m_overview = new OverviewView(m_tabs);
    m_sparsity = new SparsityView(m_tabs);
    m_heatmap = new CoActivationHeatmap(m_tabs);
    m_heatmap->setJobRunner(m_jobs);  // a million cells per layer: prepared off the GUI thread
    m_graph = new ExpertGraphView(m_tabs);
    m_graph->setJobRunner(m_jobs);  // the co-activation sums and the Graphviz layout
    m_gates = new GateAccuracyView(m_tabs);
    m_sweeps = new SweepView(m_tabs);
    m_translator = new TranslatorPanel(m_jobs, m_tabs);
    m_finetuneCurve = new FinetuneCurveView(m_tabs);
    const struct {
        QWidget* view;
        const char* name;  // object name: screenshot file names and tests
        QString title;
        QString tip;
    } tabs[] = {
        {m_overview, "overview", tr("Overview"), tr("The pipeline steps and the data sources")},
        {m_translator, "translator", tr("Translator"),
         tr("Translate live with K of N experts per token")},
        {m_sparsity, "sparsity", tr("Sparsity"),
         tr("How many FFN neurons stay at zero, per layer")},
        {m_heatmap, "coactivation", tr("Co-activation"),
         tr("Which neurons fire together, ordered by expert")},
        {m_graph, "expert-graph", tr("Expert graph"),
         tr("Experts and how strongly they fire together")},
        {m_gates, "gate-accuracy", tr("Gate accuracy"),
         tr("How well each router finds the right experts")},
        {m_sweeps, "sweeps", tr("Sweeps"), tr("BLEU, time and speed-up against K")},
        {m_finetuneCurve, "finetune", tr("Fine-tuning"),
         tr("Loss and BLEU of the MoE fine-tune, live while it runs")},
    };
    for (const auto& tab : tabs) {
        tab.view->setObjectName(QString::fromLatin1(tab.name));
        const int index = m_tabs->addTab(tab.view, tab.title);
        m_tabs->setTabToolTip(index, tab.tip);
    }
    setCentralWidget(m_tabs);

    m_panel = new ProjectPanel(m_session, this);
    auto* dock = new QDockWidget(tr("Project"), this);
    dock->setObjectName(QStringLiteral("projectDock"));
    dock->setWidget(m_panel);
    dock->setMinimumWidth(290);
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    connect(m_graph, &ExpertGraphView::expertClicked, this,
            [this](const QString& partition, int layer, int expert) {
                m_heatmap->highlightExpert(partition, layer, expert);
            });
    connect(m_sweeps, &SweepView::runSweepRequested, this, [this] {
        m_panel->runButton(ProjectSession::Step::Sweeps)->parentWidget()->setFocus();
        m_panel->runButton(ProjectSession::Step::Sweeps)->click();
    });
    connect(m_sweeps, &SweepView::runComparisonRequested, this, [this] {
        ProjectSession::SweepStepOptions options;
        options.router = m_panel->sweepRouter()->currentText();
        options.classic = true;
        m_session->runSweep(options);
    });
    connect(m_panel, &ProjectPanel::openModelRequested, this, [this] {
        const QString model = QFileDialog::getOpenFileName(
            this, tr("Model for a new project"), QString(), tr("MoE Workbench models (*.moewb)"));
        if (model.isEmpty()) {
            return;
        }
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Folder of the new project"));
        if (!folder.isEmpty()) {
            openProject(folder, model);
        }
    });
}

void MainWindow::createMenus() {
    m_projectMenu = new ProjectMenu(this, m_session, organizationName(), applicationName());
    connect(m_projectMenu, &ProjectMenu::openRequested, this,
            [this](const QString& folder) { openProject(folder); });
    connect(m_projectMenu, &ProjectMenu::exportAllRequested, this, [this](const QString& folder) {
        QString error;
        const QStringList written = exportAllFigures(folder, &error);
        if (!error.isEmpty()) {
            QMessageBox::warning(this, tr("Export All Figures"), error);
        }
        statusBar()->showMessage(
            tr("%n file(s) written to %1", nullptr, int(written.size())).arg(folder),
            kOutcomeMessageMs);
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(findChild<QDockWidget*>(QStringLiteral("projectDock"))->toggleViewAction());
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction* show =
            view->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        show->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about =
        help->addAction(tr("&About MoE Workbench…"), this, [this] { AboutBox::show(this); });
    about->setObjectName(QStringLiteral("actionAbout"));
    about->setMenuRole(QAction::AboutRole);
    about->setStatusTip(tr("Show the version of the workbench and of the libraries it uses"));
    QAction* aboutQt = help->addAction(tr("About &Qt…"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
    aboutQt->setStatusTip(tr("Show the Qt version and licence"));
}

void MainWindow::connectSession() {
    connect(m_session, &ProjectSession::modelChanged, this,
            [this] { m_translator->setModel(m_session->model()); });
    connect(m_session, &ProjectSession::profileChanged, this, [this] {
        m_sparsity->setProfile(m_session->profile());
        m_heatmap->setProfile(m_session->profile());
        m_graph->setProfile(m_session->profile());
    });
    connect(m_session, &ProjectSession::partitionsChanged, this, [this] {
        m_heatmap->setPartitions(m_session->partitions());
        m_graph->setPartitions(m_session->partitions());
        m_translator->setPartitions(m_session->partitions());
    });
    connect(m_session, &ProjectSession::routersChanged, this, [this] {
        if (!m_session->partitions().isEmpty()) {
            QStringList names;
            for (const auto& name : m_session->partitions().front().set->layerNames) {
                names << QString::fromStdString(name);
            }
            m_gates->setLayerNames(names);
        }
        m_gates->setRouters(m_session->routers());
        m_translator->setRouters(m_session->routers());
    });
    connect(m_session, &ProjectSession::sweepsChanged, this, [this] {
        m_sweeps->setSweeps(m_session->sweeps());
        m_sweeps->setComparisons(m_session->comparisons());
    });
    for (auto signal : {&ProjectSession::modelChanged, &ProjectSession::profileChanged,
                        &ProjectSession::partitionsChanged, &ProjectSession::routersChanged,
                        &ProjectSession::sweepsChanged}) {
        connect(m_session, signal, this, &MainWindow::refreshOverview);
    }
    FinetuneSession* finetune = m_session->finetune();
    connect(finetune, &FinetuneSession::curveReset, this, [this, finetune](const QString& model) {
        m_finetuneCurve->setCurve(model, finetune->curve());
    });
    connect(finetune, &FinetuneSession::pointAdded, m_finetuneCurve, &FinetuneCurveView::addPoint);
    // A fine-tune runs for many minutes: its live curve is what the user wants to watch.
    connect(m_session, &ProjectSession::stepStarted, this, [this](ProjectSession::Step step) {
        if (step == ProjectSession::Step::Finetune) {
            m_tabs->setCurrentWidget(m_finetuneCurve);
        }
    });
    connect(m_session, &ProjectSession::opened, this, [this](const QString& folder) {
        setWindowTitle(tr("%1 — MoE Workbench").arg(QFileInfo(folder).fileName()));
        m_projectMenu->rememberRecent(folder);
        if (m_quickStartPending && !m_session->stepDone(ProjectSession::Step::Routers)) {
            m_session->runQuickStart();
        }
        m_quickStartPending = false;
    });
    connect(m_session, &ProjectSession::openFailed, this,
            [this](const QString& folder, const QString& message) {
                warn(tr("Open Project"), tr("Could not open %1:\n%2").arg(folder, message));
            });
    connect(m_session, &ProjectSession::stepFailed, this,
            [this](ProjectSession::Step, const QString& message) {
                warn(tr("MoE Workbench"), message);
            });
    connect(m_session, &ProjectSession::artifactsStale, this, [this](const QStringList& reasons) {
        warn(tr("Stale artifacts"),
             tr("These were made from a partition or router that has changed since; they are "
                "marked stale in the project panel:\n%1")
                 .arg(reasons.join('\n')));
    });
}

void MainWindow::warn(const QString& title, const QString& message) {
    if (m_batch) {
        std::fprintf(stderr, "moe-workbench: %s\n", qPrintable(message));
    } else {
        QMessageBox::warning(this, title, message);
    }
}

void MainWindow::refreshOverview() {
    using Step = ProjectSession::Step;
    for (int i = 0; i < OverviewView::kStepCount; ++i) {
        const auto step = static_cast<Step>(i);
        m_overview->setStepState(static_cast<OverviewView::Step>(i),
                                 m_session->stepDone(step) ? OverviewView::StepState::Done
                                                           : OverviewView::StepState::NotComputed,
                                 m_session->stepSummary(step));
    }
}

void MainWindow::openProject(const QString& folder, const QString& modelPath) {
    m_quickStartPending = true;
    m_session->open(folder, modelPath);
}

QStringList MainWindow::exportAllFigures(const QString& folder, QString* error) {
    QList<Figure> figures{{QStringLiteral("pipeline"), tr("Pipeline"), m_overview->diagram()}};
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto* source = dynamic_cast<FigureSource*>(m_tabs->widget(i))) {
            figures += source->figures();
        }
    }
    return FigureExporter::exportAll(figures, folder, {"png", "pdf", "svg"}, FigureExportOptions{},
                                     error);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings(organizationName(), applicationName());
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    // Cancel now so the workers are already winding down while the window closes.
    m_jobs->cancelAll();
    event->accept();
}

}  // namespace moewb::gui
