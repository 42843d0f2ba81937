#pragma once
// The fine-tune step of the open project (docs/moe-quality.md, "Fine-tuning with distillation") and
// the fine-tuned models it makes: a job on the JobRunner that fine-tunes a copy of the dense model
// to run K of N experts, trains an MLP router on the result, and only then writes models/NAME.moewb
// and routers/NAME-mlp.json, so a cancelled or failed run leaves the project as it was (apart from
// its resumable checkpoint in finetune/NAME/). While it runs, every training step arrives on the
// GUI thread as pointAdded() for the live curve. Also loads the routers of fine-tuned models, whose
// experts must come from the fine-tuned weights, not the dense ones.

#include "WorkbenchData.h"

#include "moewb/moe/MoeFinetuner.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moewb {
class Project;
}

namespace moewb::gui {

class JobRunner;
class ProjectSession;

class FinetuneSession : public QObject {
    Q_OBJECT

public:
    // What the user chooses in the project panel; finetuneOptions() turns it into core options.
    struct StepOptions {
        QString partition;              // the partition whose experts are run (required)
        int k = 0;                      // experts per token in every FFN; 0 = N / 4 (default 0)
        QString mixedK;                 // e.g. "1,2,4": each step draws its K from the list so
                                        // one model serves several K; empty = always k
        double timeBudgetMinutes = 50;  // training time, earlier runs of a resume included (50)
        double kdWeight = 1.0;          // KL to the dense teacher (default 1)
        double ceWeight = 0.5;          // cross-entropy on the references (default 0.5)
        double mseWeight = 0.0;         // MSE of the FFN outputs (default 0)
        int checkEvery = 100;           // steps between BLEU checks (default 100)
        int checkSentences = 100;       // demo-set sentences of a check (default 100: all)
        int maxSteps = 0;               // stop after this many steps; 0 = budget only (default 0)
        bool resume = false;            // continue the checkpoint of `name` (default false)
        QString name;                   // model name; empty = <partition>-ft
        QString trainSource, trainTarget;  // parallel files (.de, .en); empty = Ding train split
        // How training chooses each token's experts: "weights" (largest activation mass of the
        // current weights), "router" (the partition's MLP router from the Routers step) or
        // "gate" (a noisy top-K gate trained with the experts, saved as router NAME-gate).
        QString routing = QStringLiteral("weights");
    };

    // A run saved in a checkpoint folder (finetune/NAME/state.json): what Resume would continue.
    struct SavedRun {
        std::vector<moewb::FinetunePoint> curve;  // every step so far
        qint64 step = 0;
        double seconds = 0;  // training time so far
    };

    // Fine-tuned models and their experts, loaded once for all the routers that use them.
    struct TunedCache {
        std::map<std::string, ModelHandle> models;  // by model name
        std::map<std::pair<std::string, std::string>,
                 std::vector<std::shared_ptr<moewb::ExpertFfn>>>
            experts;  // by (model, partition)
    };

    // Created by ProjectSession, whose project and dense model it uses.
    FinetuneSession(ProjectSession* session, JobRunner* jobs);

    // The core options for the step's choices on a partition of `numExperts` experts per FFN and
    // `ffnLayers` FFN layers: K in every layer, the parsed mixed K, the loss weights, the budget,
    // the BLEU checks (at K) and the checkpoint folder. Returns nullopt with a message for the
    // user in *error when a choice is out of range (K, mixed K, all-zero weights, budget).
    static std::optional<moewb::FinetuneOptions> finetuneOptions(const StepOptions& options,
                                                                 int numExperts, int ffnLayers,
                                                                 const std::string& checkpointDir,
                                                                 QString* error);
    // The model name the step writes: options.name, or <partition>-ft when that is empty.
    static QString modelName(const StepOptions& options);
    // The run saved in a checkpoint folder; nullopt when there is none or it cannot be read.
    static std::optional<SavedRun> savedRun(const QString& checkpointDir);
    // Loads routers/<name>.json of the project with the experts it was trained for: the
    // partition's (dense weights) or, when the router names a fine-tuned model, experts built
    // from that model, loaded through `cache`. Throws std::runtime_error with the reason.
    static RouterEntry loadRouter(const moewb::Project& project, const std::string& name,
                                  const QList<PartitionEntry>& partitions, TunedCache* cache);

    // Starts the step; returns the job id, or 0 when refused (ProjectSession::stepFailed says
    // why). The step's start and end come as ProjectSession::stepStarted / stepFinished.
    int run(const StepOptions& options);
    bool isRunning() const { return m_jobId != 0; }
    // The Fine-tune step's status line: each fine-tuned model with its routers, or "not run".
    QString summary() const;
    int jobId() const { return m_jobId; }

    // The curve shown: the running fine-tune's points so far (a resumed run's earlier ones
    // included), else the last finished or loaded run.
    const std::vector<moewb::FinetunePoint>& curve() const { return m_curve; }
    QString curveModel() const { return m_curveModel; }
    // Shows the curve saved in finetune/NAME/ of the open project (on the worker); false when
    // there is none.
    bool loadCurve(const QString& name);

Q_SIGNALS:
    // The curve was replaced (a run started or finished, a saved curve was loaded).
    void curveReset(const QString& model);
    // One training step (or check) of the running fine-tune, on the GUI thread.
    void pointAdded(const moewb::FinetunePoint& point);

private:
    void onOpened();

    ProjectSession* m_session;
    JobRunner* m_jobs;
    int m_jobId = 0;
    int m_run = 0;  // the run whose points are wanted; points of older runs are dropped
    std::vector<moewb::FinetunePoint> m_curve;
    QString m_curveModel;
};

}  // namespace moewb::gui

Q_DECLARE_METATYPE(moewb::FinetunePoint)
