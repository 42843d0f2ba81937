#pragma once
// The project panel (left dock): the pipeline steps corpus → model → profile → partitions →
// routers → sweeps, and the optional fine-tune, each with its status, its options and a Run
// button that says how long the step takes. Runs go through ProjectSession (on the worker); the
// panel only collects options.

#include "ProjectSession.h"

#include <QHash>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QElapsedTimer;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace moewb::gui {

class FinetuneStepForm;

class ProjectPanel : public QWidget {
    Q_OBJECT

public:
    explicit ProjectPanel(ProjectSession* session, QWidget* parent = nullptr);

    // Status text of a step as shown (for tests and the overview).
    QString statusText(ProjectSession::Step step) const;
    QPushButton* runButton(ProjectSession::Step step) const { return m_run.value(int(step)); }
    // Expected duration of a step with the current options, in seconds: the last measured run
    // scaled to the options when there is one, else a default measured on the shipped model.
    double estimatedSeconds(ProjectSession::Step step) const;

    QComboBox* partitionMethod() const { return m_method; }
    QComboBox* routerPartition() const { return m_routerPartition; }
    QComboBox* sweepRouter() const { return m_sweepRouter; }
    QLineEdit* sweepThresholds() const { return m_sweepThresholds; }
    // "0.3, 0.4 0.5" → {0.3, 0.4, 0.5} (commas, semicolons or spaces; '.' as the decimal point);
    // empty → {}; nullopt when an entry is not a number.
    static std::optional<std::vector<double>> parseThresholds(const QString& text);
    FinetuneStepForm* finetuneForm() const { return m_finetune; }

Q_SIGNALS:
    void openModelRequested();

private:
    QWidget* stepBox(ProjectSession::Step step, const QString& title, QWidget* options);
    void refresh();
    void refreshChoices();
    void run(ProjectSession::Step step);
    void onStepStarted(ProjectSession::Step step, int jobId);
    void onStepFinished(ProjectSession::Step step, bool ok);
    static QString durationText(double seconds);

    ProjectSession* m_session;
    QHash<int, QLabel*> m_status;
    QHash<int, QPushButton*> m_run;
    QHash<int, qint64> m_startedMs;  // step → start time of its running job
    QSpinBox* m_profileTokens = nullptr;
    QComboBox* m_method = nullptr;
    QComboBox* m_experts = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_shared = nullptr;
    QComboBox* m_routerPartition = nullptr;
    QComboBox* m_routerKind = nullptr;
    QSpinBox* m_epochs = nullptr;
    QComboBox* m_sweepRouter = nullptr;
    QComboBox* m_sweepKind = nullptr;
    QLineEdit* m_sweepThresholds = nullptr;
    FinetuneStepForm* m_finetune = nullptr;
};

}  // namespace moewb::gui
