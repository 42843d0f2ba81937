#include "LiveTranslation.h"
#include "WorkbenchData.h"

#include "TranslatorPanel.h"

#include "ActiveExpertsControl.h"
#include "DemoSentenceModel.h"
#include "ExpertStripPlot.h"
#include "JobRunner.h"
#include "SentencePicker.h"

#include "moewb/moe/ComputeEstimate.h"
#include "moewb/text/Bleu.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <exception>

namespace moewb::gui {

namespace {

// Pause after the last change before translating: long enough to skip the intermediate values of
// a slider drag, short enough to feel live.
constexpr int kDebounceMs = 150;

// Wall time and time per target token side by side: a weak K can write a longer or shorter
// sentence, which moves the wall time for reasons other than speed.
QString timeText(const TimedTranslation& t) {
    const QString wall = TranslatorPanel::tr("%1 ms").arg(t.seconds * 1000.0, 0, 'f', 1);
    return t.targetTokens > 0 ? TranslatorPanel::tr("%1 · %2 ms/token")
                                    .arg(wall)
                                    .arg(t.secondsPerToken() * 1000.0, 0, 'f', 2)
                              : wall;
}

QString timeToolTip(const TimedTranslation& t) {
    return TranslatorPanel::tr(
               "Greedy translation of this sentence: median wall time of %n timed run(s) after "
               "one warm-up run, alternating dense and MoE runs when both are shown",
               nullptr, t.repetitions) +
           TranslatorPanel::tr("; %n target token(s) written", nullptr,
                               static_cast<int>(t.targetTokens));
}

QLabel* outputLabel(QWidget* parent, const QString& objectName, const QString& toolTip) {
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    // Ignored width: the dense and MoE columns stay equal whatever their text.
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setToolTip(toolTip);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 1.25);
    label->setFont(font);
    label->setMinimumHeight(label->fontMetrics().height() * 2);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

QLabel* smallLabel(QWidget* parent, const QString& objectName, const QString& toolTip) {
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setToolTip(toolTip);
    return label;
}

}  // namespace

struct TranslatorPanel::State {
    ModelHandle model;
    QList<PartitionEntry> partitions;
    QList<RouterEntry> routers;
    // Dense translations per German sentence for the current model: they do not depend on K.
    QHash<QString, TimedTranslation> denseCache;
};

TranslatorPanel::TranslatorPanel(JobRunner* jobs, QWidget* parent)
    : QWidget(parent), m_jobs(jobs), m_state(std::make_unique<State>()) {
    m_translation.setRunner(jobs);
    setObjectName(QStringLiteral("translatorPanel"));
    m_debounce = new QTimer(this);
    m_debounce->setObjectName(QStringLiteral("translationDebounce"));
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &TranslatorPanel::startTranslation);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    m_picker = new SentencePicker(m_jobs, splitter);
    splitter->addWidget(m_picker);
    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(buildOutputs());
    m_strip = new ExpertStripPlot(right);
    m_strip->setMinimumHeight(260);
    rightLayout->addWidget(m_strip, 1);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    FigureExporter::installContextMenu(figures().front());

    connect(m_picker, &SentencePicker::sentenceChosen, this, &TranslatorPanel::setSentence);
    connect(m_picker, &SentencePicker::addRequested, this, [this] {
        if (!m_picker->addSentence(m_source->text(), m_reference->text())) {
            showStatus(tr("Type a German sentence first, then add it."), true);
        }
    });
    connect(m_picker, &SentencePicker::parallelFileLoaded, this,
            [this](int added, const QString& fileName) {
                showStatus(tr("Added %n sentence(s) from %1.", nullptr, added).arg(fileName),
                           false);
                Q_EMIT parallelFileLoaded(added);
            });
    connect(m_picker, &SentencePicker::parallelFileFailed, this, [this](const QString& message) {
        showStatus(tr("Could not read the parallel text: %1").arg(message), true);
        Q_EMIT parallelFileFailed(message);
    });

    refreshRouterChoices();
    startTranslation();  // says what to load first
    if (!m_picker->demoSetError().isEmpty()) {
        showStatus(m_picker->demoSetError(), true);
    }
}

TranslatorPanel::~TranslatorPanel() = default;

QWidget* TranslatorPanel::buildOutputs() {
    auto* widget = new QWidget(this);
    auto* layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* form = new QFormLayout;
    m_source = new QLineEdit(widget);
    m_source->setObjectName(QStringLiteral("sourceEdit"));
    m_source->setPlaceholderText(tr("Type a German sentence, e.g. Ein Hund rennt über die Wiese."));
    m_source->setToolTip(tr("The German sentence; it is translated as you type"));
    m_reference = new QLineEdit(widget);
    m_reference->setObjectName(QStringLiteral("referenceEdit"));
    m_reference->setPlaceholderText(tr("Optional English reference, for sentence BLEU"));
    m_reference->setToolTip(
        tr("A reference translation; with one, both outputs get a sentence "
           "BLEU score (sacreBLEU's sentence_bleu)"));
    form->addRow(tr("German:"), m_source);
    form->addRow(tr("Reference:"), m_reference);
    layout->addLayout(form);

    auto* controls = new QHBoxLayout;
    m_partitionCombo = new QComboBox(widget);
    m_partitionCombo->setObjectName(QStringLiteral("partitionCombo"));
    m_partitionCombo->setToolTip(
        tr("The expert partition: how each feed-forward layer's neurons "
           "are split into experts"));
    m_routerCombo = new QComboBox(widget);
    m_routerCombo->setObjectName(QStringLiteral("routerCombo"));
    m_routerCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_routerCombo->setToolTip(
        tr("The router that picks each token's experts (only routers "
           "trained for the chosen partition are listed)"));
    m_activeExperts = new ActiveExpertsControl(widget);
    controls->addWidget(new QLabel(tr("Partition:"), widget));
    controls->addWidget(m_partitionCombo, 1);
    controls->addWidget(new QLabel(tr("Router:"), widget));
    controls->addWidget(m_routerCombo, 1);
    layout->addLayout(controls);
    // A row of its own: the mode, the slider, the most experts and the value need the width, and
    // the router names (e.g. "kmeans-ft-mlp (mlp, fine-tuned kmeans-ft)") must stay readable.
    auto* experts = new QHBoxLayout;
    experts->addWidget(new QLabel(tr("Active experts:"), widget));
    experts->addWidget(m_activeExperts, 1);
    layout->addLayout(experts);
    m_flops = smallLabel(widget, QStringLiteral("flops"),
                         tr("Feed-forward multiply-adds per token relative to the dense model: "
                            "the K/N experts computed, plus what the router itself costs (with "
                            "dynamic K the bound; the MoE box shows what a translation did)"));
    layout->addWidget(m_flops);

    auto* outputs = new QHBoxLayout;
    auto* dense = new QGroupBox(tr("Dense (every neuron)"), widget);
    dense->setToolTip(tr("The original model, every feed-forward neuron computed"));
    auto* denseLayout = new QVBoxLayout(dense);
    m_denseOutput = outputLabel(dense, QStringLiteral("denseOutput"),
                                tr("Greedy translation by the dense model"));
    m_denseTime = smallLabel(dense, QStringLiteral("denseTime"), tr("Dense translation time"));
    m_denseBleu = smallLabel(dense, QStringLiteral("denseBleu"),
                             tr("Sentence BLEU of the dense translation against the reference"));
    denseLayout->addWidget(m_denseOutput, 1);
    denseLayout->addWidget(m_denseTime);
    denseLayout->addWidget(m_denseBleu);
    auto* moe = new QGroupBox(tr("Mixture of experts"), widget);
    moe->setObjectName(QStringLiteral("moeBox"));
    m_moeBox = moe;
    moe->setToolTip(
        tr("The same model with each feed-forward layer run as a mixture of experts: "
           "only the K experts the router picks are computed"));
    auto* moeLayout = new QVBoxLayout(moe);
    m_moeOutput = outputLabel(moe, QStringLiteral("moeOutput"),
                              tr("Greedy translation with K active experts per token"));
    m_moeTime = smallLabel(moe, QStringLiteral("moeTime"), tr("MoE translation time"));
    m_moeBleu = smallLabel(moe, QStringLiteral("moeBleu"),
                           tr("Sentence BLEU of the MoE translation against the reference"));
    m_moeCompute = smallLabel(
        moe, QStringLiteral("moeCompute"),
        tr("Measured in this translation: the share of the dense feed-forward multiply-adds done "
           "(router and shared neurons included, encoder and decoder together), and the mean "
           "experts a token ran"));
    moeLayout->addWidget(m_moeOutput, 1);
    moeLayout->addWidget(m_moeTime);
    moeLayout->addWidget(m_moeCompute);
    moeLayout->addWidget(m_moeBleu);
    outputs->addWidget(dense, 1);
    outputs->addWidget(moe, 1);
    layout->addLayout(outputs);

    m_speedup = smallLabel(widget, QStringLiteral("speedup"),
                           tr("Dense time divided by MoE time for this sentence (whole "
                              "translation, not only the feed-forward layers): the median over "
                              "rounds that ran dense and MoE alternately, ± the farthest round. "
                              "Per target token too when the outputs differ in length."));
    QFont big = m_speedup->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_speedup->setFont(big);
    layout->addWidget(m_speedup);
    m_status = smallLabel(widget, QStringLiteral("status"), tr("What the translator is doing"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_source, &QLineEdit::textEdited, this, [this](const QString& text) {
        // A reference belongs to its list sentence; typing something else drops it.
        const int row = sentences()->find(text.simplified());
        if (row >= 0) {
            m_reference->setText(sentences()->sentence(row).reference);
            m_referenceFromList = true;
        } else if (m_referenceFromList) {
            m_reference->clear();
            m_referenceFromList = false;
        }
        scheduleTranslation();
    });
    connect(m_reference, &QLineEdit::textEdited, this, [this] {
        m_referenceFromList = false;
        refreshScores();
        Q_EMIT translationUpdated();
    });
    connect(m_partitionCombo, &QComboBox::currentIndexChanged, this, [this] {
        refreshRouterChoices();
        scheduleTranslation();
    });
    connect(m_routerCombo, &QComboBox::currentIndexChanged, this, [this] {
        refreshFlops();
        scheduleTranslation();
    });
    connect(m_activeExperts, &ActiveExpertsControl::changed, this, [this] {
        refreshFlops();
        scheduleTranslation();
    });
    return widget;
}

QList<Figure> TranslatorPanel::figures() const {
    return {{QStringLiteral("translator-experts"), tr("Experts fired per token"), m_strip},
            {QStringLiteral("translator-panel"), tr("Live translator"),
             const_cast<TranslatorPanel*>(this)}};
}

void TranslatorPanel::setModel(const ModelHandle& model) {
    m_state->model = model;
    m_state->denseCache.clear();  // dense outputs belong to the model they came from
    m_shownSource.clear();
    if (m_state->model.isValid() && m_source->text().isEmpty() && sentences()->rowCount() > 0) {
        m_picker->pick(0);  // something to show at once
    }
    scheduleTranslation();
}

void TranslatorPanel::setPartitions(const QList<PartitionEntry>& partitions) {
    const QString current = m_partitionCombo->currentText();
    m_state->partitions = partitions;
    QSignalBlocker block(m_partitionCombo);
    m_partitionCombo->clear();
    for (const auto& p : m_state->partitions) {
        m_partitionCombo->addItem(p.name);
    }
    const int keep = m_partitionCombo->findText(current);
    m_partitionCombo->setCurrentIndex(keep >= 0 ? keep : 0);
    refreshRouterChoices();
    scheduleTranslation();
}

void TranslatorPanel::setRouters(const QList<RouterEntry>& routers) {
    m_state->routers = routers;
    refreshRouterChoices();
    scheduleTranslation();
}

const PartitionEntry* TranslatorPanel::currentPartition() const {
    const int i = m_partitionCombo->currentIndex();
    return i >= 0 && i < m_state->partitions.size() ? &m_state->partitions[i] : nullptr;
}

const RouterEntry* TranslatorPanel::currentRouter() const {
    const QString name = m_routerCombo->currentData().toString();
    const PartitionEntry* partition = currentPartition();
    for (const auto& r : m_state->routers) {
        if (partition && r.name == name && r.partition == partition->name) {
            return &r;
        }
    }
    return nullptr;
}

void TranslatorPanel::refreshRouterChoices() {
    const QString current = m_routerCombo->currentData().toString();
    QSignalBlocker block(m_routerCombo);
    m_routerCombo->clear();
    const PartitionEntry* partition = currentPartition();
    for (const auto& r : m_state->routers) {
        if (partition && r.partition == partition->name) {
            QString kind = r.set ? QString::fromStdString(r.set->kind) : QString();
            if (r.isTuned()) {
                kind = tr("%1, fine-tuned %2").arg(kind, r.model);
            }
            m_routerCombo->addItem(kind.isEmpty() ? r.name : tr("%1 (%2)").arg(r.name, kind),
                                   r.name);
        }
    }
    const int keep = m_routerCombo->findData(current);
    m_routerCombo->setCurrentIndex(keep >= 0 ? keep : 0);
    m_partitionCombo->setEnabled(!m_state->partitions.isEmpty());
    m_routerCombo->setEnabled(m_routerCombo->count() > 0);
    refreshExpertCount();
}

void TranslatorPanel::refreshExpertCount() {
    const PartitionEntry* partition = currentPartition();
    const int n = partition && !partition->experts.empty() && partition->experts.front()
                      ? partition->experts.front()->numExperts()
                      : 0;
    QSignalBlocker block(m_activeExperts);
    m_activeExperts->setExpertCount(n);
    refreshFlops();
}

void TranslatorPanel::refreshFlops() {
    const PartitionEntry* partition = currentPartition();
    if (!partition || partition->experts.empty() || m_activeExperts->expertCount() == 0) {
        m_flops->setText(tr("Feed-forward compute: dense (no partition chosen)"));
        return;
    }
    const int k = m_activeExperts->k();
    const int n = partition->experts.front()->numExperts();
    // From core, as every other "compute" figure: shared neurons and the router included.
    const RouterEntry* router = currentRouter();
    const bool withRouter =
        router && router->set && router->set->layers.size() == partition->experts.size();
    const double percent =
        100.0 *
        moewb::plannedComputeFraction(
            partition->experts,
            withRouter ? router->set->layers : std::vector<std::shared_ptr<moewb::Router>>(), k);
    const QString text =
        m_activeExperts->isDynamic()
            ? tr("Feed-forward compute: at most %1 % of dense (K ≤ %2 of %3 experts, shared "
                 "neurons and router included; each token stops at τ = %4 of the router's mass)")
                  .arg(percent, 0, 'f', 1)
                  .arg(k)
                  .arg(n)
                  .arg(m_activeExperts->threshold(), 0, 'f', 2)
            : tr("Feed-forward compute: %1 % of dense (K = %2 of %3 experts, shared neurons and "
                 "router included)")
                  .arg(percent, 0, 'f', 1)
                  .arg(k)
                  .arg(n);
    m_flops->setText(text);
}

QString TranslatorPanel::missingForMoe() const {
    if (m_state->partitions.isEmpty()) {
        return tr(
            "No expert partition yet: run the Partitions step (or “moewb partition”) to "
            "compare with a mixture of experts.");
    }
    const PartitionEntry* partition = currentPartition();
    if (!partition || partition->experts.empty()) {
        return tr("Partition “%1” has no expert blocks for this model: reopen the project.")
            .arg(partition ? partition->name : QString());
    }
    if (!currentRouter()) {
        return tr("No router for partition “%1” yet: run the Routers step (or “moewb route "
                  "--partition %1”) first.")
            .arg(partition->name);
    }
    return {};
}

void TranslatorPanel::setSentence(const QString& source, const QString& reference) {
    m_source->setText(source);
    m_reference->setText(reference);
    m_referenceFromList = true;
    scheduleTranslation();
}

void TranslatorPanel::scheduleTranslation() {
    // Anything in flight now answers an outdated question: drop its result, stop its work.
    m_translation.cancel();
    m_debounce->start();
}

void TranslatorPanel::startTranslation() {
    if (!m_state->model.isValid()) {
        showStatus(tr("No model loaded: open a project or load a model first (then partition it "
                      "and train routers to compare with experts)."),
                   false);
        return;
    }
    const QString source = m_source->text().simplified();
    if (source.isEmpty()) {
        showStatus(tr("Type a German sentence or pick one from the list."), false);
        return;
    }
    const QString missing = missingForMoe();
    const bool denseCached = m_state->denseCache.contains(source);
    if (!missing.isEmpty() && denseCached) {
        showResult(source, LiveTranslationResult());  // nothing new to compute
        return;
    }
    LiveTranslationRequest request;
    request.model = m_state->model;
    request.source = source.toStdString();
    // Here dense-only work is never cached (that case returned above). With experts the dense
    // model is re-timed alongside the MoE run anyway: only times from the same interleaved rounds
    // make a speed-up; the cache just keeps the dense text and time for when no MoE can run.
    request.dense = true;
    if (missing.isEmpty()) {
        // A fine-tuned model's router brings that model and its experts; the dense side stays
        // the project's model.
        const RouterEntry* router = currentRouter();
        request.experts = router->isTuned() ? router->experts : currentPartition()->experts;
        request.routers = router->set;
        request.moeModel = router->tunedModel;
        request.k = m_activeExperts->k();
        request.threshold = m_activeExperts->threshold();
    }
    auto result = std::make_shared<LiveTranslationResult>();
    m_translation.start(
        tr("Translating"),
        [request, result](moewb::Feedback& feedback) {
            *result = LiveTranslation::run(request, feedback);
        },
        [this, source, result](JobRunner::Outcome end, const QString& message) {
            if (end == JobRunner::Outcome::Succeeded) {
                showResult(source, *result);
            } else if (end == JobRunner::Outcome::Failed) {
                showStatus(tr("Translation failed: %1").arg(message), true);
            } else {
                showStatus(tr("Translation cancelled; the previous output is still shown."), false);
            }
        });
    showStatus(tr("Translating…"), false);
}

void TranslatorPanel::showResult(const QString& source, const LiveTranslationResult& result) {
    if (result.dense) {
        m_state->denseCache.insert(source, *result.dense);
    }
    m_shownSource = source;
    // With a MoE result, its own interleaved dense run: the time that goes with the speed-up.
    const TimedTranslation dense = result.dense ? *result.dense : m_state->denseCache.value(source);
    m_denseOutput->setText(QString::fromStdString(dense.text));
    m_denseTime->setText(timeText(dense));
    m_denseTime->setToolTip(timeToolTip(dense));
    const QString missing = missingForMoe();
    if (result.moe) {
        const int n = result.strip.numExperts;
        m_shownK = result.k;
        m_shownThreshold = result.threshold;
        m_shownCompute = result.compute;
        m_moeBox->setTitle(result.threshold > 0
                               ? tr("Mixture of experts (dynamic: τ %1, K ≤ %2 of %3)")
                                     .arg(result.threshold, 0, 'f', 2)
                                     .arg(result.k)
                                     .arg(n)
                               : tr("Mixture of experts (K = %1 of %2)").arg(result.k).arg(n));
        m_moeOutput->setText(QString::fromStdString(result.moe->text));
        m_moeTime->setText(timeText(*result.moe));
        m_moeTime->setToolTip(timeToolTip(*result.moe));
        m_moeCompute->setText(tr("compute %1 % · %2 experts per token")
                                  .arg(100.0 * result.compute, 0, 'f', 1)
                                  .arg(result.expertsPerToken, 0, 'f', 2));
        const double speedup = result.speedup;
        QString text =
            tr("Speedup: ×%1 ± %2").arg(speedup, 0, 'f', 2).arg(result.speedupSpread, 0, 'f', 2);
        if (result.moe->targetTokens != dense.targetTokens && result.tokenSpeedup > 0) {
            text += tr(" (per target token ×%1 ± %2)")
                        .arg(result.tokenSpeedup, 0, 'f', 2)
                        .arg(result.tokenSpeedupSpread, 0, 'f', 2);
        }
        m_speedup->setText(text);
        m_speedup->setStyleSheet(speedup >= 1.0 ? QStringLiteral("color: #1b7f3b;")
                                                : QStringLiteral("color: #b34700;"));
        m_strip->setStrip(result.strip, result.k);
        showStatus(QString(), false);
    } else {
        m_shownK = 0;
        m_shownThreshold = 0;
        m_shownCompute = 0;
        m_moeBox->setTitle(tr("Mixture of experts"));
        m_moeOutput->setText(tr("–"));
        m_moeTime->clear();
        m_moeCompute->clear();
        m_speedup->clear();
        m_strip->clearStrip(missing);
        showStatus(missing, false);
    }
    refreshScores();
    Q_EMIT translationUpdated();
}

void TranslatorPanel::refreshScores() {
    const QString reference = m_reference->text().simplified();
    const auto score = [&](QLabel* output, QLabel* label) {
        const QString text = output->text();
        if (m_shownSource.isEmpty() || (label == m_moeBleu && m_shownK == 0)) {
            label->clear();
        } else if (reference.isEmpty()) {
            label->setText(tr("BLEU: no reference"));
        } else {
            const auto bleu = moewb::sentenceBleu(text.toStdString(), reference.toStdString());
            label->setText(tr("BLEU: %1").arg(bleu.score, 0, 'f', 1));
        }
    };
    score(m_denseOutput, m_denseBleu);
    score(m_moeOutput, m_moeBleu);
}

void TranslatorPanel::showStatus(const QString& message, bool error) {
    m_status->setText(message);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

void TranslatorPanel::openParallelFile(const QString& sourcePath, const QString& referencePath) {
    m_picker->openParallelFile(sourcePath, referencePath);
}

DemoSentenceModel* TranslatorPanel::sentences() const {
    return m_picker->sentences();
}

}  // namespace moewb::gui
