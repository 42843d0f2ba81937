#include "OverviewView.h"

#include "moewb/util/Paths.h"

#include "QCustomPlotHeader.h"

#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace moewb::gui {

namespace {

// Where Debian's trans-de-en package puts the Ding dictionary (docs/formats.md,
// "Corpora and other inputs").
const char* const kDingPath = "/usr/share/trans/de-en";

QString stepDescription(OverviewView::Step step) {
    switch (step) {
        case OverviewView::Step::Corpus:
            return OverviewView::tr(
                "German–English sentence pairs and their deterministic train/valid/test split");
        case OverviewView::Step::Model:
            return OverviewView::tr(
                "Transformer encoder–decoder with ReLU feed-forward layers, trained or loaded");
        case OverviewView::Step::Profile:
            return OverviewView::tr(
                "Sparsity and neuron co-activation of every feed-forward layer, counted over "
                "training tokens");
        case OverviewView::Step::Partitions:
            return OverviewView::tr(
                "The neurons of each feed-forward layer split into experts of equal size");
        case OverviewView::Step::Routers:
            return OverviewView::tr("Per-layer gates that pick the K experts each token uses");
        case OverviewView::Step::Sweeps:
            return OverviewView::tr(
                "BLEU, time and router recall against the number of active experts K");
    }
    return {};
}

// Fill and border colours of a diagram box, one pair per state.
std::pair<QColor, QColor> stateColors(OverviewView::StepState state) {
    switch (state) {
        case OverviewView::StepState::NotComputed:
            return {QColor(0xec, 0xef, 0xf1), QColor(0x90, 0xa4, 0xae)};
        case OverviewView::StepState::Running:
            return {QColor(0xff, 0xe0, 0xb2), QColor(0xfb, 0x8c, 0x00)};
        case OverviewView::StepState::Done:
            return {QColor(0xc8, 0xe6, 0xc9), QColor(0x43, 0xa0, 0x47)};
        case OverviewView::StepState::Failed:
            return {QColor(0xff, 0xcd, 0xd2), QColor(0xe5, 0x39, 0x35)};
    }
    return {Qt::white, Qt::black};
}

// "N file(s) in <folder>" for a shipped resource folder, or where it was looked for.
QString resourceFolderText(const QString& label, const std::string& relative) {
    const QString folder = QString::fromStdString(moewb::findResource(relative));
    if (folder.isEmpty()) {
        QStringList searched;
        for (const auto& candidate : moewb::resourceSearchPath()) {
            searched << QString::fromStdString(candidate + "/" + relative);
        }
        return OverviewView::tr("%1: not found (looked in %2)")
            .arg(label, searched.join(QStringLiteral(", ")).toHtmlEscaped());
    }
    const int files = QDir(folder).entryList(QDir::Files).size();
    return OverviewView::tr("%1: %n file(s) in %2", nullptr, files)
        .arg(label, QDir::cleanPath(folder).toHtmlEscaped());
}

}  // namespace

OverviewView::OverviewView(QWidget* parent) : QWidget(parent) {
    m_diagram = new QCustomPlot(this);
    m_diagram->setObjectName(QStringLiteral("pipelineDiagram"));
    m_diagram->setFixedHeight(140);
    m_diagram->setToolTip(tr("The pipeline: each box is one step, coloured by its state"));
    buildDiagram();

    m_steps = new QTreeWidget(this);
    m_steps->setObjectName(QStringLiteral("pipelineSteps"));
    m_steps->setColumnCount(2);
    m_steps->setHeaderLabels({tr("Step"), tr("Status")});
    m_steps->setRootIsDecorated(false);
    m_steps->setSelectionMode(QAbstractItemView::NoSelection);
    m_steps->setToolTip(tr("The steps of the pipeline and their state in the open project"));
    m_steps->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_steps->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_steps->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Maximum);
    m_steps->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    for (int i = 0; i < kStepCount; ++i) {
        const auto step = static_cast<Step>(i);
        auto* item = new QTreeWidgetItem(m_steps, {stepName(step), QString()});
        item->setToolTip(0, stepDescription(step));
        item->setToolTip(1, stepDescription(step));
        refreshStep(step);
    }

    m_dataNote = new QLabel(dataSourcesText(), this);
    m_dataNote->setObjectName(QStringLiteral("aboutTheData"));
    m_dataNote->setWordWrap(true);
    m_dataNote->setTextFormat(Qt::RichText);
    m_dataNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_dataNote->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_dataNote->setToolTip(tr("Data sources the workbench found on this computer"));
    auto* dataBox = new QGroupBox(tr("About the data"), this);
    auto* dataLayout = new QVBoxLayout(dataBox);
    dataLayout->addWidget(m_dataNote);

    auto* pipelineBox = new QGroupBox(tr("Pipeline"), this);
    auto* pipelineLayout = new QVBoxLayout(pipelineBox);
    pipelineLayout->addWidget(m_diagram);
    pipelineLayout->addWidget(m_steps);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(pipelineBox);
    layout->addWidget(dataBox);
    layout->addStretch();
}

void OverviewView::buildDiagram() {
    m_diagram->xAxis->setVisible(false);
    m_diagram->yAxis->setVisible(false);
    m_diagram->axisRect()->setAutoMargins(QCP::msNone);
    m_diagram->axisRect()->setMargins(QMargins(0, 0, 0, 0));
    m_diagram->xAxis->setRange(0.0, kStepCount);
    m_diagram->yAxis->setRange(0.0, 1.0);
    m_diagram->setBackground(palette().window());

    for (int i = 0; i < kStepCount; ++i) {
        auto* box = new QCPItemRect(m_diagram);
        box->topLeft->setCoords(i + 0.08, 0.85);
        box->bottomRight->setCoords(i + 0.92, 0.15);
        m_boxes[i] = box;

        auto* label = new QCPItemText(m_diagram);
        label->position->setCoords(i + 0.5, 0.58);
        label->setText(stepName(static_cast<Step>(i)));
        label->setColor(QColor(0x26, 0x32, 0x38));
        QFont bold = font();
        bold.setBold(true);
        label->setFont(bold);

        m_stateLabels[i] = new QCPItemText(m_diagram);
        m_stateLabels[i]->position->setCoords(i + 0.5, 0.36);
        m_stateLabels[i]->setColor(QColor(0x45, 0x5a, 0x64));

        if (i + 1 < kStepCount) {
            auto* arrow = new QCPItemLine(m_diagram);
            arrow->start->setCoords(i + 0.92, 0.5);
            arrow->end->setCoords(i + 1.08, 0.5);
            arrow->setHead(QCPLineEnding(QCPLineEnding::esFlatArrow, 8, 8));
            arrow->setPen(QPen(QColor(0x54, 0x6e, 0x7a), 1.5));
        }
    }
}

void OverviewView::setStepState(Step step, StepState state, const QString& detail) {
    m_states[index(step)] = state;
    m_details[index(step)] = detail;
    refreshStep(step);
}

QString OverviewView::stepStatusText(Step step) const {
    const QString& detail = m_details[index(step)];
    if (stepState(step) == StepState::NotComputed && detail.isEmpty()) {
        return tr("Not computed (no project open)");
    }
    return detail.isEmpty() ? stateName(stepState(step))
                            : tr("%1: %2").arg(stateName(stepState(step)), detail);
}

void OverviewView::refreshStep(Step step) {
    if (QTreeWidgetItem* item = m_steps->topLevelItem(index(step))) {
        item->setText(1, stepStatusText(step));
    }
    const auto [fill, border] = stateColors(stepState(step));
    if (QCPItemRect* box = m_boxes[index(step)]) {
        box->setBrush(fill);
        box->setPen(QPen(border, 1.5));
        m_stateLabels[index(step)]->setText(stateName(stepState(step)));
        m_diagram->replot(QCustomPlot::rpQueuedReplot);
    }
}

QString OverviewView::stepName(Step step) {
    switch (step) {
        case Step::Corpus:
            return tr("Corpus");
        case Step::Model:
            return tr("Model");
        case Step::Profile:
            return tr("Profile");
        case Step::Partitions:
            return tr("Partitions");
        case Step::Routers:
            return tr("Routers");
        case Step::Sweeps:
            return tr("Sweeps");
    }
    return {};
}

QString OverviewView::stateName(StepState state) {
    switch (state) {
        case StepState::NotComputed:
            return tr("Not computed");
        case StepState::Running:
            return tr("Running");
        case StepState::Done:
            return tr("Done");
        case StepState::Failed:
            return tr("Failed");
    }
    return {};
}

QString OverviewView::dataSourcesText() const {
    QStringList lines;
    const QFileInfo ding(QString::fromLatin1(kDingPath));
    if (ding.isFile()) {
        const double megabytes = static_cast<double>(ding.size()) / (1024.0 * 1024.0);
        lines << tr("Ding dictionary (Debian package trans-de-en): %1, %2 MB")
                     .arg(ding.filePath().toHtmlEscaped(), QLocale().toString(megabytes, 'f', 1));
    } else {
        lines << tr("Ding dictionary: not found at %1; install the Debian package trans-de-en "
                    "to use it")
                     .arg(ding.filePath().toHtmlEscaped());
    }
    lines << resourceFolderText(tr("Built-in demo set"), "demo");
    lines << resourceFolderText(tr("Shipped models"), "models");
    lines << tr(
        "Other corpora: Moses-style parallel text (train.de and train.en, optionally "
        "gzip-compressed) or tab-separated German–English pairs.");
    lines << tr("The steps show their results once a workbench project is open.");
    return QStringLiteral("<p>") + lines.join(QStringLiteral("</p><p>")) + QStringLiteral("</p>");
}

}  // namespace moewb::gui
