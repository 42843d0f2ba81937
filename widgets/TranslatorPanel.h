#pragma once
// The live translator (docs/architecture.md, "The views"): German in, the dense and the MoE
// translation side by side with their times, the speedup, the measured share of the dense FFN
// compute and sentence BLEU, and a strip of the experts that fired. The MoE runs a fixed K or
// dynamic K (a router-mass threshold τ, at most K). Moving the slider retranslates on a JobRunner
// worker, debounced; only the newest request's result is ever shown, and a failed job leaves the
// previous output in place. Translations run while other jobs (sweeps, profiles) use the same
// model.

#include "FigureExporter.h"
#include "JobRunner.h"
#include "NewestJob.h"

#include <QHash>
#include <QList>
#include <QWidget>

#include <memory>

namespace moewb {
class Feedback;
}
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSlider;
class QTimer;

namespace moewb::gui {

// From WorkbenchData.h / LiveTranslation.h, which pull in all of LibTorch: declared here so that
// the users of this header do not compile it.
struct ModelHandle;
struct PartitionEntry;
struct RouterEntry;
struct LiveTranslationResult;

class ActiveExpertsControl;
class DemoSentenceModel;
class ExpertStripPlot;
class SentencePicker;

class TranslatorPanel : public QWidget, public FigureSource {
    Q_OBJECT

public:
    explicit TranslatorPanel(JobRunner* jobs, QWidget* parent = nullptr);
    ~TranslatorPanel() override;

    void setModel(const ModelHandle& model);
    void setPartitions(const QList<PartitionEntry>& partitions);
    void setRouters(const QList<RouterEntry>& routers);

    // "translator-experts" (the strip) and "translator-panel" (the whole panel).
    QList<Figure> figures() const override;

    // Reads a parallel file in the background and adds its sentences to the list: a TSV file
    // (German<TAB>English) when `referencePath` is empty, else line-aligned German and English
    // files. Ends with parallelFileLoaded or parallelFileFailed.
    void openParallelFile(const QString& sourcePath, const QString& referencePath = {});
    // Puts a sentence (and its reference, may be empty) into the input and translates it.
    void setSentence(const QString& source, const QString& reference = {});

    // What the panel shows, for the main window and tests (the widgets themselves carry object
    // names). K of the MoE translation on show (0 when none is shown; the most experts with dynamic
    // K), its τ (0 = fixed K) and its measured compute share (MoeCompute::fraction()).
    int shownK() const { return m_shownK; }
    double shownThreshold() const { return m_shownThreshold; }
    double shownCompute() const { return m_shownCompute; }
    bool isTranslating() const { return m_translation.isRunning(); }

Q_SIGNALS:
    // The output labels changed (a new translation, or its BLEU after a reference edit).
    void translationUpdated();
    void parallelFileLoaded(int added);
    void parallelFileFailed(const QString& message);

private:
    QWidget* buildOutputs();
    void refreshRouterChoices();
    void refreshExpertCount();
    void refreshFlops();
    // Starts the debounce timer: the newest change wins.
    void scheduleTranslation();
    void startTranslation();
    void showResult(const QString& source, const LiveTranslationResult& result);
    void refreshScores();
    void showStatus(const QString& message, bool error);
    const PartitionEntry* currentPartition() const;
    const RouterEntry* currentRouter() const;
    DemoSentenceModel* sentences() const;
    // What the user has to do before a MoE translation can run (empty when it can).
    QString missingForMoe() const;

    struct State;  // the model, the artifacts and the dense cache

    JobRunner* m_jobs;
    std::unique_ptr<State> m_state;

    NewestJob m_translation{this};  // the running translation; a newer request drops it
    int m_shownK = 0;
    double m_shownThreshold = 0;
    double m_shownCompute = 0;
    QString m_shownSource;             // the sentence whose translations are on show
    bool m_referenceFromList = false;  // the reference came with a list sentence, not the user

    SentencePicker* m_picker = nullptr;
    QLineEdit* m_source = nullptr;
    QLineEdit* m_reference = nullptr;
    QComboBox* m_partitionCombo = nullptr;
    QComboBox* m_routerCombo = nullptr;
    ActiveExpertsControl* m_activeExperts = nullptr;
    QLabel* m_flops = nullptr;
    QLabel* m_denseOutput = nullptr;
    QLabel* m_denseTime = nullptr;
    QLabel* m_denseBleu = nullptr;
    QGroupBox* m_moeBox = nullptr;
    QLabel* m_moeOutput = nullptr;
    QLabel* m_moeTime = nullptr;
    QLabel* m_moeBleu = nullptr;
    QLabel* m_moeCompute = nullptr;
    QLabel* m_speedup = nullptr;
    QLabel* m_status = nullptr;
    ExpertStripPlot* m_strip = nullptr;
    QTimer* m_debounce = nullptr;
};

}  // namespace moewb::gui
