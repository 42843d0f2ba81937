#include "ProjectPanel.h"

#include "FinetuneStepForm.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace moewb::gui {

namespace {

using Step = ProjectSession::Step;

// Measured on the shipped model on 2 cores (moewb demo, 2026-11); replaced by the user's own
// last run as soon as there is one.
double defaultSeconds(const QString& key) {
    static const QHash<QString, double> seconds = {
        {"profile", 10.0},           {"partition-kmeans", 4.0},      {"partition-metis", 8.0},
        {"partition-random", 1.0},   {"partition-importance", 20.0}, {"routers-mlp", 40.0},
        {"routers-similarity", 6.0}, {"routers-oracle", 6.0},        {"routers-hash", 6.0},
        {"sweep-k", 120.0},          {"sweep-classic", 60.0}};
    return seconds.value(key, 30.0);
}

QSettings settings() {
    return QSettings(QStringLiteral("MoEWorkbench"), QStringLiteral("moe-workbench"));
}

}  // namespace

ProjectPanel::ProjectPanel(ProjectSession* session, QWidget* parent)
    : QWidget(parent), m_session(session) {
    setObjectName(QStringLiteral("projectPanel"));
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);

    layout->addWidget(stepBox(Step::Corpus, tr("1 · Corpus"), nullptr));

    auto* modelOptions = new QWidget;
    auto* modelLayout = new QVBoxLayout(modelOptions);
    modelLayout->setContentsMargins(0, 0, 0, 0);
    auto* openModel = new QPushButton(tr("Use another model…"));
    openModel->setToolTip(tr("Point this project at another .moewb model file"));
    connect(openModel, &QPushButton::clicked, this, &ProjectPanel::openModelRequested);
    modelLayout->addWidget(openModel);
    layout->addWidget(stepBox(Step::Model, tr("2 · Model"), modelOptions));

    auto* profileOptions = new QWidget;
    auto* profileForm = new QFormLayout(profileOptions);
    m_profileTokens = new QSpinBox;
    m_profileTokens->setRange(1000, 500000);
    m_profileTokens->setSingleStep(5000);
    m_profileTokens->setValue(20000);
    m_profileTokens->setToolTip(
        tr("Source + target tokens of training data run through the model"));
    profileForm->addRow(tr("Tokens:"), m_profileTokens);
    layout->addWidget(stepBox(Step::Profile, tr("3 · Profile"), profileOptions));

    auto* partitionOptions = new QWidget;
    auto* partitionForm = new QFormLayout(partitionOptions);
    m_method = new QComboBox;
    m_method->addItem(tr("Balanced k-means (W1 rows)"), "kmeans");
    m_method->addItem(tr("Co-activation + METIS"), "metis");
    m_method->addItem(tr("Importance-guided, shared neurons (MoEBERT)"), "importance");
    m_method->addItem(tr("Random"), "random");
    m_method->setToolTip(tr("How the neurons of each FFN layer are grouped into experts"));
    m_experts = new QComboBox;
    for (int n : {4, 8, 16, 32, 64}) {
        m_experts->addItem(QString::number(n), n);
    }
    m_experts->setCurrentText(QStringLiteral("16"));
    m_experts->setToolTip(tr("Experts per layer (N); each gets d_ff / N neurons"));
    m_seed = new QSpinBox;
    m_seed->setRange(1, 1000000);
    m_seed->setToolTip(tr("Seed of k-means++, METIS and the random permutation"));
    partitionForm->addRow(tr("Method:"), m_method);
    partitionForm->addRow(tr("Experts:"), m_experts);
    partitionForm->addRow(tr("Seed:"), m_seed);
    m_shared = new QSpinBox;
    m_shared->setRange(0, 512);
    m_shared->setSingleStep(16);
    m_shared->setValue(64);
    m_shared->setToolTip(
        tr("Importance method: the most important neurons, computed for every "
           "token; (d_ff - shared) must divide by the number of experts"));
    partitionForm->addRow(tr("Shared neurons:"), m_shared);
    connect(m_method, &QComboBox::currentIndexChanged, this,
            [this] { m_shared->setEnabled(m_method->currentData().toString() == "importance"); });
    m_shared->setEnabled(false);
    layout->addWidget(stepBox(Step::Partitions, tr("4 · Partitions"), partitionOptions));

    auto* routerOptions = new QWidget;
    auto* routerForm = new QFormLayout(routerOptions);
    m_routerPartition = new QComboBox;
    m_routerPartition->setToolTip(tr("The partition whose experts the routers choose"));
    m_routerKind = new QComboBox;
    m_routerKind->addItem(tr("MLP gate (trained)"), "mlp");
    m_routerKind->addItem(tr("Similarity to centroids"), "similarity");
    m_routerKind->addItem(tr("Oracle (ground truth)"), "oracle");
    m_routerKind->addItem(tr("Hash of the token id (MoEBERT)"), "hash");
    m_routerKind->setToolTip(tr("How each token's K experts are chosen"));
    m_epochs = new QSpinBox;
    m_epochs->setRange(1, 200);
    m_epochs->setValue(30);
    m_epochs->setToolTip(tr("Training epochs of the MLP gate (the best held-out epoch is kept)"));
    routerForm->addRow(tr("Partition:"), m_routerPartition);
    routerForm->addRow(tr("Router:"), m_routerKind);
    routerForm->addRow(tr("Epochs:"), m_epochs);
    layout->addWidget(stepBox(Step::Routers, tr("5 · Routers"), routerOptions));

    auto* sweepOptions = new QWidget;
    auto* sweepForm = new QFormLayout(sweepOptions);
    m_sweepRouter = new QComboBox;
    m_sweepRouter->setToolTip(tr("The routers (and their partition) to sweep"));
    m_sweepKind = new QComboBox;
    m_sweepKind->setObjectName(QStringLiteral("sweepKind"));
    m_sweepKind->addItem(tr("K sweep (1, 2, 4 … N)"), "k");
    m_sweepKind->addItem(tr("Classic comparison table"), "classic");
    m_sweepKind->setToolTip(
        tr("A sweep over K on the demo set, or the classic table of time and "
           "BLEU over the first 10 … 30 sentences"));
    m_sweepThresholds = new QLineEdit;
    m_sweepThresholds->setObjectName(QStringLiteral("sweepThresholds"));
    m_sweepThresholds->setPlaceholderText(tr("e.g. 0.3,0.4,0.5 (empty = none)"));
    m_sweepThresholds->setToolTip(
        tr("Dynamic-K rows added to the K sweep, one per threshold τ: each token takes the fewest "
           "experts holding τ of the router's mass, at most N/2"));
    sweepForm->addRow(tr("Router:"), m_sweepRouter);
    sweepForm->addRow(tr("Kind:"), m_sweepKind);
    sweepForm->addRow(tr("Dynamic τ:"), m_sweepThresholds);
    // The classic table runs fixed K only.
    connect(m_sweepKind, &QComboBox::currentIndexChanged, this, [this] {
        m_sweepThresholds->setEnabled(m_sweepKind->currentData().toString() != "classic");
    });
    layout->addWidget(stepBox(Step::Sweeps, tr("6 · Sweeps"), sweepOptions));

    m_finetune = new FinetuneStepForm(session);
    layout->addWidget(stepBox(Step::Finetune, tr("7 · Fine-tune"), m_finetune));
    layout->addStretch(1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    for (auto signal : {&ProjectSession::modelChanged, &ProjectSession::profileChanged,
                        &ProjectSession::partitionsChanged, &ProjectSession::routersChanged,
                        &ProjectSession::sweepsChanged, &ProjectSession::tunedModelsChanged}) {
        connect(session, signal, this, &ProjectPanel::refresh);
    }
    connect(session, &ProjectSession::stepStarted, this, &ProjectPanel::onStepStarted);
    connect(session, &ProjectSession::stepFinished, this, &ProjectPanel::onStepFinished);
    for (QComboBox* box : {m_method, m_experts, m_routerKind, m_sweepKind}) {
        connect(box, &QComboBox::currentIndexChanged, this, &ProjectPanel::refresh);
    }
    connect(m_profileTokens, &QSpinBox::valueChanged, this, &ProjectPanel::refresh);
    connect(m_epochs, &QSpinBox::valueChanged, this, &ProjectPanel::refresh);
    connect(m_finetune, &FinetuneStepForm::changed, this, &ProjectPanel::refresh);
    refresh();
}

QWidget* ProjectPanel::stepBox(Step step, const QString& title, QWidget* options) {
    auto* box = new QGroupBox(title);
    auto* layout = new QVBoxLayout(box);
    auto* status = new QLabel;
    status->setWordWrap(true);
    status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status.insert(int(step), status);
    layout->addWidget(status);
    if (options) {
        layout->addWidget(options);
    }
    if (step != Step::Corpus && step != Step::Model) {
        auto* run = new QPushButton(tr("Run"));
        run->setObjectName(QStringLiteral("run%1").arg(int(step)));
        connect(run, &QPushButton::clicked, this, [this, step] { this->run(step); });
        m_run.insert(int(step), run);
        layout->addWidget(run);
    }
    return box;
}

QString ProjectPanel::statusText(Step step) const {
    return m_status.value(int(step))->text();
}

QString ProjectPanel::durationText(double seconds) {
    if (seconds < 60) {
        return tr("about %1 s").arg(qMax(1, qRound(seconds)));
    }
    return tr("about %1 min").arg(qRound(seconds / 60.0));
}

namespace {

// The settings key of a step with the options that change its cost, and the size its time
// scales with (tokens or epochs).
QString estimateKey(Step step, const QString& variant) {
    switch (step) {
        case Step::Profile:
            return QStringLiteral("profile");
        case Step::Partitions:
            return "partition-" + variant;
        case Step::Routers:
            return "routers-" + variant;
        case Step::Sweeps:
            return "sweep-" + variant;
        default:
            return {};
    }
}

}  // namespace

double ProjectPanel::estimatedSeconds(Step step) const {
    QString variant;
    double scale = 1.0;
    switch (step) {
        case Step::Profile:
            scale = m_profileTokens->value() / 20000.0;
            break;
        case Step::Partitions:
            variant = m_method->currentData().toString();
            scale = m_experts->currentData().toInt() / 16.0;
            break;
        case Step::Routers:
            variant = m_routerKind->currentData().toString();
            if (variant == "mlp") {
                scale = m_epochs->value() / 30.0;
            }
            break;
        case Step::Sweeps:
            variant = m_sweepKind->currentData().toString();
            break;
        case Step::Finetune:
            return m_finetune->estimatedSeconds();  // the time budget decides
        default:
            return 0;
    }
    const QString key = estimateKey(step, variant);
    // The last run is stored per unit of scale, so changing the options rescales it.
    const double perUnit = settings().value("estimates/" + key, defaultSeconds(key)).toDouble();
    return perUnit * std::max(0.1, scale);
}

void ProjectPanel::refreshChoices() {
    const QString partition = m_routerPartition->currentText();
    m_routerPartition->clear();
    for (const auto& entry : m_session->partitions()) {
        m_routerPartition->addItem(entry.name);
    }
    m_routerPartition->setCurrentText(partition);
    const QString router = m_sweepRouter->currentText();
    m_sweepRouter->clear();
    for (const auto& entry : m_session->routers()) {
        m_sweepRouter->addItem(entry.name);
    }
    m_sweepRouter->setCurrentText(router);
    m_finetune->refresh();
}

void ProjectPanel::refresh() {
    refreshChoices();
    for (Step step : {Step::Corpus, Step::Model, Step::Profile, Step::Partitions, Step::Routers,
                      Step::Sweeps, Step::Finetune}) {
        const bool done = m_session->stepDone(step);
        QLabel* status = m_status.value(int(step));
        status->setText((done ? QStringLiteral("✔ ") : QStringLiteral("○ ")) +
                        m_session->stepSummary(step));
        status->setStyleSheet(done ? QString() : QStringLiteral("color: #a05a00;"));
        if (QPushButton* run = m_run.value(int(step))) {
            const bool running = m_startedMs.contains(int(step));
            run->setEnabled(!running && m_session->isOpen());
            run->setText(running ? tr("Running…")
                                 : (done ? tr("Run again (%1)") : tr("Run this step (%1)"))
                                       .arg(durationText(estimatedSeconds(step))));
            run->setToolTip(tr("Runs on a worker thread; the status bar shows progress and a "
                               "Cancel button. Expected time: %1 on this machine.")
                                .arg(durationText(estimatedSeconds(step))));
        }
    }
    m_run.value(int(Step::Routers))
        ->setEnabled(m_run.value(int(Step::Routers))->isEnabled() &&
                     m_routerPartition->count() > 0);
    m_run.value(int(Step::Sweeps))
        ->setEnabled(m_run.value(int(Step::Sweeps))->isEnabled() && m_sweepRouter->count() > 0);
    m_run.value(int(Step::Finetune))
        ->setEnabled(m_run.value(int(Step::Finetune))->isEnabled() &&
                     m_finetune->partitionBox()->count() > 0);
}

void ProjectPanel::run(Step step) {
    switch (step) {
        case Step::Profile: {
            ProjectSession::ProfileStepOptions options;
            options.tokens = m_profileTokens->value();
            m_session->runProfile(options);
            break;
        }
        case Step::Partitions: {
            ProjectSession::PartitionStepOptions options;
            options.method = m_method->currentData().toString();
            options.experts = m_experts->currentData().toInt();
            options.seed = m_seed->value();
            options.sharedNeurons = m_shared->value();
            m_session->runPartition(options);
            break;
        }
        case Step::Routers: {
            ProjectSession::RouterStepOptions options;
            options.partition = m_routerPartition->currentText();
            options.kind = m_routerKind->currentData().toString();
            options.epochs = m_epochs->value();
            m_session->runRouters(options);
            break;
        }
        case Step::Sweeps: {
            ProjectSession::SweepStepOptions options;
            options.router = m_sweepRouter->currentText();
            options.classic = m_sweepKind->currentData().toString() == "classic";
            const auto thresholds = parseThresholds(m_sweepThresholds->text());
            if (!thresholds) {
                m_session->refuse(
                    Step::Sweeps,
                    tr("Dynamic τ: “%1” is not a list of numbers such as 0.3,0.4,0.5.")
                        .arg(m_sweepThresholds->text()));
                break;
            }
            if (!options.classic) {
                options.thresholds = *thresholds;
            }
            m_session->runSweep(options);
            break;
        }
        case Step::Finetune:
            m_session->finetune()->run(m_finetune->stepOptions());
            break;
        default:
            break;
    }
}

void ProjectPanel::onStepStarted(Step step, int) {
    m_startedMs.insert(int(step), QDateTime::currentMSecsSinceEpoch());
    refresh();
}

void ProjectPanel::onStepFinished(Step step, bool ok) {
    const qint64 started = m_startedMs.take(int(step));
    // A fine-tune takes its time budget, not a measured time per unit.
    if (ok && started > 0 && step != Step::Finetune) {
        // Remember the measured time per unit of the options' scale for the next estimate.
        const double seconds = (QDateTime::currentMSecsSinceEpoch() - started) / 1000.0;
        const double current = estimatedSeconds(step);
        QString variant;
        if (step == Step::Partitions) {
            variant = m_method->currentData().toString();
        } else if (step == Step::Routers) {
            variant = m_routerKind->currentData().toString();
        } else if (step == Step::Sweeps) {
            variant = m_sweepKind->currentData().toString();
        }
        const QString key = estimateKey(step, variant);
        const double perUnit = settings().value("estimates/" + key, defaultSeconds(key)).toDouble();
        const double scale = current / std::max(1e-9, perUnit);
        auto store = settings();
        store.setValue("estimates/" + key, seconds / std::max(0.1, scale));
    }
    refresh();
}

std::optional<std::vector<double>> ProjectPanel::parseThresholds(const QString& text) {
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    std::vector<double> values;
    for (const QString& part : text.split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const double value = QLocale::c().toDouble(part, &ok);
        if (!ok) {
            return std::nullopt;
        }
        values.push_back(value);
    }
    return values;
}

}  // namespace moewb::gui
