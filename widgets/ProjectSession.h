#pragma once
// The open workbench project as the GUI sees it: the loaded model and every artifact
// (profile, partitions, routers, sweeps, fine-tuned models), and the steps that compute them
// (the fine-tune step lives in FinetuneSession, reached through finetune()). Every load and every
// step runs on the JobRunner; results replace the session's state only when a job succeeds, so a
// cancelled or failed step leaves what the views show untouched.

#include "ProjectSnapshot.h"
#include "WorkbenchData.h"

#include "moewb/project/Project.h"

#include <QObject>
#include <QStringList>

#include <optional>

namespace moewb::gui {

class FinetuneSession;
class JobRunner;

class ProjectSession : public QObject {
    Q_OBJECT

public:
    // Finetune comes last although it runs before a sweep of its router: OverviewView mirrors
    // the first six steps by value.
    enum class Step { Corpus, Model, Profile, Partitions, Routers, Sweeps, Finetune };
    Q_ENUM(Step)

    struct ProfileStepOptions {
        qint64 tokens = 20000;  // source + target tokens profiled (default 20 000)
    };
    struct PartitionStepOptions {
        QString method =
            QStringLiteral("kmeans");  // "kmeans", "metis", "importance", "random" (kmeans)
        int experts = 16;              // N experts per layer (default 16)
        int seed = 1;                  // partitioner seed (default 1)
        int sharedNeurons = 64;        // importance: neurons in every expert (64)
        QString name;                  // file name; empty = the method
    };
    struct RouterStepOptions {
        QString partition;                     // the partition to route over (required)
        QString kind = QStringLiteral("mlp");  // "mlp", "similarity", "oracle", "hash" (mlp)
        int epochs = 30;                       // MLP gate epochs (default 30)
        qint64 tokens = 20000;                 // FFN-input tokens collected (default 20 000)
        QString name;                          // file name; empty = <partition>-<kind>
    };
    struct SweepStepOptions {
        QString router;         // router set to sweep (required)
        int encoderK = 0;       // 0 = sweep K = 1, 2, 4 … N; else a fixed encoder K
        bool classic = false;   // the classic comparison table instead of a K sweep
        int sentenceLimit = 0;  // 0 = the whole demo set
        // Dynamic-K rows (SweepOptions::thresholds), one per router-mass threshold τ in (0, 1),
        // each with at most dynamicMaxK experts per token (0 = N / 2); empty = none (default).
        std::vector<double> thresholds;
        int dynamicMaxK = 0;
        int rounds = 0;  // timed dense / MoE rounds per row; 0 = the default 3 to 5
        QString name;    // file name; empty = the router's name (+ "-comparison")
    };

    explicit ProjectSession(JobRunner* jobs, QObject* parent = nullptr);

    // The project opened when none is given: <app data>/default-project on the shipped model.
    static QString defaultProjectFolder();

    // Opens the folder (creating project.json when missing; `modelPath` empty = shipped model)
    // and loads the model and every artifact on a worker. Returns the job id.
    int open(const QString& folder, const QString& modelPath = {});
    // Copies the open project's folder to `folder` (which must not hold a project) and opens it.
    int saveAs(const QString& folder);
    // Rewrites project.json (atomic). Returns false and sets *error on failure.
    bool save(QString* error);

    bool isOpen() const { return m_project.has_value(); }
    QString folder() const;
    // The open project (null when none is open); for the step helpers.
    moewb::Project* project() { return m_project ? &*m_project : nullptr; }
    const moewb::Project* project() const { return m_project ? &*m_project : nullptr; }
    FinetuneSession* finetune() const { return m_finetune; }
    const ModelHandle& model() const { return m_model; }
    ProfileHandle profile() const { return m_profile; }
    const QList<PartitionEntry>& partitions() const { return m_partitions; }
    const QList<RouterEntry>& routers() const { return m_routers; }
    const QList<SweepEntry>& sweeps() const { return m_sweeps; }
    const QList<ComparisonEntry>& comparisons() const { return m_comparisons; }
    // Names of the fine-tuned models in the project (models/<name>.moewb), sorted.
    const QStringList& tunedModels() const { return m_tunedModels; }
    // Routers and sweeps made from a partition or router that has changed since (with why). Stale
    // routers are not in routers(); stale sweeps are still in sweeps() / comparisons().
    const StaleArtifacts& stale() const { return m_stale; }

    // Each starts a job and returns its id (0 when refused, with stepFailed emitted).
    int runProfile(const ProfileStepOptions& options);
    int runPartition(const PartitionStepOptions& options);
    int runRouters(const RouterStepOptions& options);
    int runSweep(const SweepStepOptions& options);
    // The first-open chain for a fresh project: profile, k-means partition, similarity routers,
    // so the sparsity view, heatmap and translator have data within seconds.
    void runQuickStart();

    // For step helpers (FinetuneSession): runs `work` as the job of `step`, calls onSuccess on
    // the GUI thread and saves project.json when it succeeds; returns the job id (0 when no
    // project is open).
    int startStep(Step step, const QString& title, std::function<void(moewb::Feedback&)> work,
                  std::function<void()> onSuccess);
    // Reports why a step cannot start (stepFailed) and returns 0, the refused job id.
    int refuse(Step step, const QString& message);
    // A fine-tune finished: adds the model (a new name or a replaced one) and its router.
    void addTunedModel(const QString& name, const RouterEntry& router);

    // A one-line status of a step for the project panel ("6 layers, 20 000 tokens", "missing").
    QString stepSummary(Step step) const;
    bool stepDone(Step step) const;

Q_SIGNALS:
    void opened(const QString& folder);
    void modelChanged();
    void profileChanged();
    void partitionsChanged();
    void routersChanged();
    void sweepsChanged();
    void tunedModelsChanged();
    void stepStarted(ProjectSession::Step step, int jobId);
    void stepFinished(ProjectSession::Step step, bool ok);
    void stepFailed(ProjectSession::Step step, const QString& message);
    void openFailed(const QString& folder, const QString& message);
    // Opening found stale artifacts, or a step has just made some stale: one reason per artifact,
    // naming its file and the step to re-run.
    void artifactsStale(const QStringList& reasons);

private:
    void apply(ProjectSnapshot& loaded);
    // Takes a fresh scan of the stale artifacts (done by the step's job): drops stale routers and
    // reports the newly stale ones.
    void applyStale(const StaleArtifacts& stale);
    std::vector<std::shared_ptr<moewb::ExpertFfn>> expertsOf(const QString& partition) const;

    JobRunner* m_jobs;
    std::optional<moewb::Project> m_project;
    ModelHandle m_model;
    ProfileHandle m_profile;
    QList<PartitionEntry> m_partitions;
    QList<RouterEntry> m_routers;
    QList<SweepEntry> m_sweeps;
    QList<ComparisonEntry> m_comparisons;
    QStringList m_tunedModels;
    StaleArtifacts m_stale;
    FinetuneSession* m_finetune = nullptr;
    QStringList m_quickStart;  // remaining quick-start steps
};

}  // namespace moewb::gui
