#include "FinetuneStepForm.h"

#include "ProjectSession.h"

#include "moewb/project/Project.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpressionValidator>
#include <QSignalBlocker>
#include <QSpinBox>

#include <algorithm>

namespace moewb::gui {

namespace {

// Item data of the "choose files" entry of the training-data box.
const char* const kChooseFiles = "choose";

QDoubleSpinBox* weightBox(double value, const QString& tip) {
    auto* box = new QDoubleSpinBox;
    box->setRange(0.0, 100.0);
    box->setDecimals(2);
    box->setSingleStep(0.1);
    box->setValue(value);
    box->setToolTip(tip);
    return box;
}

}  // namespace

FinetuneStepForm::FinetuneStepForm(ProjectSession* session, QWidget* parent)
    : QWidget(parent), m_session(session) {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    m_partition = new QComboBox;
    m_partition->setObjectName(QStringLiteral("finetunePartition"));
    m_partition->setToolTip(tr("The partition whose K experts per token the model learns to run"));
    m_k = new QSpinBox;
    m_k->setObjectName(QStringLiteral("finetuneK"));
    m_k->setRange(1, 16);
    m_k->setValue(4);
    m_k->setToolTip(
        tr("Active experts per token in every feed-forward layer, the K the model is tuned "
           "for and checked at (default N / 4)"));
    m_mixedK = new QLineEdit;
    m_mixedK->setObjectName(QStringLiteral("finetuneMixedK"));
    m_mixedK->setPlaceholderText(tr("e.g. 1,2,4 (empty: K only)"));
    m_mixedK->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("^\\s*(\\d+\\s*(,\\s*\\d*\\s*)*)?$")), m_mixedK));
    m_mixedK->setToolTip(
        tr("Each step draws its K from this list, so that one model serves several K"));
    m_budget = new QSpinBox;
    m_budget->setObjectName(QStringLiteral("finetuneBudget"));
    m_budget->setRange(1, 24 * 60);
    m_budget->setValue(50);
    m_budget->setSuffix(tr(" min"));
    m_budget->setToolTip(
        tr("Training time; a resumed run counts its earlier runs too, so raise it to train "
           "longer"));
    m_kd = weightBox(1.0, tr("Weight of the KL divergence to the dense model's output "
                             "distribution (distillation)"));
    m_kd->setObjectName(QStringLiteral("finetuneKd"));
    m_ce = weightBox(0.5, tr("Weight of the cross-entropy on the reference translations"));
    m_ce->setObjectName(QStringLiteral("finetuneCe"));
    m_mse = weightBox(0.0, tr("Weight of the mean squared difference between the MoE and the "
                              "dense feed-forward outputs, per layer"));
    m_mse->setObjectName(QStringLiteral("finetuneMse"));
    m_routing = new QComboBox;
    m_routing->setObjectName(QStringLiteral("finetuneRouting"));
    m_routing->addItem(tr("Current weights (largest activation mass)"), QStringLiteral("weights"));
    m_routing->addItem(tr("The partition's MLP router"), QStringLiteral("router"));
    m_routing->addItem(tr("Joint gate (noisy top-K, trained)"), QStringLiteral("gate"));
    m_routing->setToolTip(
        tr("How training picks each token's K experts: from the model's own activations at every "
           "step; by the MLP router the Routers step trained on the dense model; or by a noisy "
           "top-K gate (Shazeer et al.) trained with the experts and a load-balancing loss, "
           "saved as router NAME-gate beside NAME-mlp"));
    m_checkEvery = new QSpinBox;
    m_checkEvery->setObjectName(QStringLiteral("finetuneCheckEvery"));
    m_checkEvery->setRange(0, 100000);
    m_checkEvery->setSingleStep(50);
    m_checkEvery->setValue(100);
    m_checkEvery->setSuffix(tr(" steps"));
    m_checkEvery->setSpecialValueText(tr("at the end only"));
    m_checkEvery->setToolTip(
        tr("Greedy BLEU of the model at K on the built-in demo set every this many steps (a "
           "check takes a few seconds)"));
    m_data = new QComboBox;
    m_data->setObjectName(QStringLiteral("finetuneData"));
    m_data->addItem(tr("Ding sentences (train split)"));
    m_data->addItem(tr("Parallel files…"), QString::fromLatin1(kChooseFiles));
    m_data->setToolTip(
        tr("Sentence pairs to fine-tune on: the Ding dictionary's example sentences, or a "
           "line-aligned German and English file (e.g. Multi30k's train.de and train.en)"));
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("finetuneName"));
    m_name->setToolTip(
        tr("The new model is saved as models/NAME.moewb and its router as routers/NAME-mlp; "
           "the dense model is never changed"));
    m_name->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[A-Za-z0-9._-]*")), m_name));
    m_resume = new QCheckBox(tr("Resume the checkpoint"));
    m_resume->setObjectName(QStringLiteral("finetuneResume"));

    form->addRow(tr("Partition:"), m_partition);
    form->addRow(tr("Experts K:"), m_k);
    form->addRow(tr("Mixed K:"), m_mixedK);
    form->addRow(tr("Time budget:"), m_budget);
    form->addRow(tr("KD weight:"), m_kd);
    form->addRow(tr("CE weight:"), m_ce);
    form->addRow(tr("MSE weight:"), m_mse);
    form->addRow(tr("Expert choice:"), m_routing);
    form->addRow(tr("BLEU check every:"), m_checkEvery);
    form->addRow(tr("Training data:"), m_data);
    form->addRow(tr("Name:"), m_name);
    form->addRow(m_resume);

    connect(m_partition, &QComboBox::currentIndexChanged, this, [this] {
        followPartition();
        Q_EMIT changed();
    });
    connect(m_data, &QComboBox::activated, this, [this](int index) {
        if (m_data->itemData(index).toString() == QLatin1String(kChooseFiles)) {
            chooseParallelFiles();
        } else {
            m_dataIndex = index;
        }
    });
    connect(m_name, &QLineEdit::textChanged, this, [this] {
        refreshResume();
        Q_EMIT changed();
    });
    connect(m_budget, &QSpinBox::valueChanged, this, &FinetuneStepForm::changed);
    connect(m_resume, &QCheckBox::toggled, this, &FinetuneStepForm::changed);
    refresh();
}

FinetuneSession::StepOptions FinetuneStepForm::stepOptions() const {
    FinetuneSession::StepOptions options;
    options.partition = m_partition->currentText();
    options.k = m_k->value();
    options.mixedK = m_mixedK->text().trimmed();
    options.timeBudgetMinutes = m_budget->value();
    options.kdWeight = m_kd->value();
    options.ceWeight = m_ce->value();
    options.mseWeight = m_mse->value();
    options.routing = m_routing->currentData().toString();
    options.checkEvery = m_checkEvery->value();
    options.resume = m_resume->isEnabled() && m_resume->isChecked();
    options.name = m_name->text().trimmed();
    const QStringList files = m_data->currentData().toStringList();
    if (files.size() == 2) {
        options.trainSource = files[0];
        options.trainTarget = files[1];
    }
    return options;
}

double FinetuneStepForm::estimatedSeconds() const {
    const double done = m_resume->isEnabled() && m_resume->isChecked() ? m_checkpointSeconds : 0;
    return std::max(0.0, m_budget->value() * 60.0 - done) + 60.0;
}

QString FinetuneStepForm::checkpointDir() const {
    const moewb::Project* project = m_session->project();
    if (!project) {
        return {};
    }
    try {
        return QString::fromStdString(project->finetuneCheckpointDir(
            FinetuneSession::modelName(stepOptions()).toStdString()));
    } catch (const std::exception&) {
        return {};  // not a valid name (yet): nothing to resume
    }
}

void FinetuneStepForm::refresh() {
    {
        const QSignalBlocker block(m_partition);
        const QString current = m_partition->currentText();
        m_partition->clear();
        for (const auto& entry : m_session->partitions()) {
            m_partition->addItem(entry.name);
        }
        m_partition->setCurrentIndex(std::max(0, m_partition->findText(current)));
    }
    // No changed() from here: the panel calls refresh() from its own refresh.
    followPartition();
}

void FinetuneStepForm::followPartition() {
    const QString name = m_partition->currentText();
    int n = 0;
    for (const auto& entry : m_session->partitions()) {
        if (entry.name == name && entry.set && !entry.set->layers.empty()) {
            n = entry.set->layers.front().numExperts;
        }
    }
    if (n > 0 && m_k->maximum() != n) {
        // Another N: its own default K, as `moewb finetune` takes it.
        m_k->setRange(1, n);
        m_k->setValue(std::max(1, n / 4));
    }
    m_name->setPlaceholderText(name.isEmpty() ? tr("<partition>-ft") : name + "-ft");
    refreshResume();
}

void FinetuneStepForm::refreshResume() {
    const QString dir = checkpointDir();
    const QFileInfo state(QDir(dir).filePath(QStringLiteral("state.json")));
    const bool exists = !dir.isEmpty() && state.exists();
    if (exists != m_hadCheckpoint) {
        // A checkpoint (of a cancelled or finished run) is what the user most likely wants to
        // continue; without one there is nothing to resume.
        const QSignalBlocker block(m_resume);
        m_resume->setChecked(exists);
        m_hadCheckpoint = exists;
    }
    m_resume->setEnabled(exists);
    if (!exists) {
        m_checkpointSeconds = 0;
        m_checkpointRead.clear();
        m_resume->setText(tr("Resume the checkpoint"));
        m_resume->setToolTip(tr("No checkpoint of this name yet (finetune/NAME/ of the project)"));
        return;
    }
    const QString stamp = state.filePath() + state.lastModified().toString(Qt::ISODateWithMs);
    if (stamp != m_checkpointRead) {
        m_checkpointRead = stamp;
        const auto saved = FinetuneSession::savedRun(dir);
        m_checkpointSeconds = saved ? saved->seconds : 0;
        m_resume->setText(saved ? tr("Resume (step %1, %2 min trained)")
                                      .arg(QLocale().toString(saved->step))
                                      .arg(saved->seconds / 60.0, 0, 'f', 1)
                                : tr("Resume the checkpoint"));
    }
    m_resume->setToolTip(
        tr("Continue the run saved in %1; unticked, Run refuses to start over on it")
            .arg(QDir::toNativeSeparators(dir)));
}

void FinetuneStepForm::setParallelFiles(const QString& source, const QString& target) {
    for (int i = m_data->count() - 1; i >= 0; --i) {
        if (m_data->itemData(i).toStringList().size() == 2) {
            m_data->removeItem(i);
        }
    }
    if (source.isEmpty() || target.isEmpty()) {
        m_data->setCurrentIndex(0);
    } else {
        m_data->insertItem(1,
                           QStringLiteral("%1 + %2").arg(QFileInfo(source).fileName(),
                                                         QFileInfo(target).fileName()),
                           QStringList{source, target});
        m_data->setItemData(1, QStringLiteral("%1\n%2").arg(source, target), Qt::ToolTipRole);
        m_data->setCurrentIndex(1);
    }
    m_dataIndex = m_data->currentIndex();
}

void FinetuneStepForm::chooseParallelFiles() {
    const QString source =
        QFileDialog::getOpenFileName(this, tr("German training sentences, one per line"), QString(),
                                     tr("German text (*.de *.de.gz);;All files (*)"));
    // The English file usually sits next to the German one with the other language's suffix.
    QString guess = source;
    if (guess.endsWith(QLatin1String(".de"))) {
        guess.chop(3);
        guess += QStringLiteral(".en");
    }
    const QString target =
        source.isEmpty()
            ? QString()
            : QFileDialog::getOpenFileName(this, tr("Their English translations, line by line"),
                                           guess, tr("English text (*.en *.en.gz);;All files (*)"));
    if (source.isEmpty() || target.isEmpty()) {
        m_data->setCurrentIndex(m_dataIndex);  // cancelled: keep the previous choice
        return;
    }
    setParallelFiles(source, target);
}

}  // namespace moewb::gui
