#include "FinetuneSession.h"

#include "moewb/project/FinetuneStep.h"
#include "moewb/workflow/ProjectSteps.h"

#include "JobRunner.h"
#include "ProjectSession.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/project/Project.h"
#include "moewb/util/JsonFile.h"
#include "moewb/util/Paths.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QPointer>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace moewb::gui {

namespace {

using Step = ProjectSession::Step;

// FFN-input tokens the router learns from, as `moewb finetune` collects them.
constexpr qint64 kRouterTokens = 20000;

// What the job hands back to the GUI thread when it succeeds.
struct Outcome {
    ModelHandle model;
    std::vector<std::shared_ptr<const moewb::RouterSet>> routers;  // NAME-mlp, then NAME-gate
    std::vector<QString> routerNames;
    std::vector<std::shared_ptr<moewb::ExpertFfn>> experts;
    std::vector<moewb::FinetunePoint> curve;
    std::string stopReason;
};

// "1, 2,4" → {1, 2, 4}; nullopt on anything that is not a number.
std::optional<std::vector<int>> parseIntList(const QString& text) {
    std::vector<int> values;
    for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int value = part.trimmed().toInt(&ok);
        if (!ok) {
            return std::nullopt;
        }
        values.push_back(value);
    }
    return values;
}

}  // namespace

FinetuneSession::FinetuneSession(ProjectSession* session, JobRunner* jobs)
    : QObject(session), m_session(session), m_jobs(jobs) {
    qRegisterMetaType<moewb::FinetunePoint>();
    connect(session, &ProjectSession::opened, this, &FinetuneSession::onOpened);
}

QString FinetuneSession::modelName(const StepOptions& options) {
    const QString name = options.name.trimmed();
    return name.isEmpty() ? options.partition + QStringLiteral("-ft") : name;
}

std::optional<moewb::FinetuneOptions> FinetuneSession::finetuneOptions(
    const StepOptions& options, int numExperts, int ffnLayers, const std::string& checkpointDir,
    QString* error) {
    const int k = options.k > 0 ? options.k : std::max(1, numExperts / 4);
    if (k > numExperts) {
        *error = tr("K must be between 1 and the number of experts N = %1, not %2.")
                     .arg(numExperts)
                     .arg(k);
        return std::nullopt;
    }
    const auto mixed = parseIntList(options.mixedK);
    const bool mixedInRange = mixed && std::all_of(mixed->begin(), mixed->end(), [&](int value) {
                                  return value >= 1 && value <= numExperts;
                              });
    if (!mixedInRange) {
        *error = tr("Mixed K takes numbers from 1 to N = %1 separated by commas, not “%2”.")
                     .arg(numExperts)
                     .arg(options.mixedK);
        return std::nullopt;
    }
    if (options.kdWeight < 0 || options.ceWeight < 0 || options.mseWeight < 0 ||
        options.kdWeight + options.ceWeight + options.mseWeight <= 0) {
        *error = tr("The loss weights (KD, CE, MSE) must be 0 or more, and not all 0.");
        return std::nullopt;
    }
    if (options.timeBudgetMinutes <= 0 && options.maxSteps <= 0) {
        *error = tr("Give the fine-tuning a time budget.");
        return std::nullopt;
    }
    moewb::FinetuneOptions out;
    out.layerK.assign(std::size_t(std::max(0, ffnLayers)), k);
    out.mixedK = *mixed;
    out.kdWeight = options.kdWeight;
    out.ceWeight = options.ceWeight;
    out.mseWeight = options.mseWeight;
    out.timeBudgetSeconds = std::max(0.0, options.timeBudgetMinutes) * 60.0;
    out.maxSteps = options.maxSteps;
    out.checkEvery = options.checkEvery;
    out.checkSentences = options.checkSentences;
    // The checks measure the K the model is tuned for, also when training mixes several K.
    out.checkK = k;
    out.checkpointDir = checkpointDir;
    out.resume = options.resume;
    if (options.routing == QLatin1String("router")) {
        out.routing = moewb::TrainingRouting::Router;  // the router itself is loaded by the step
    } else if (options.routing == QLatin1String("gate")) {
        out.routing = moewb::TrainingRouting::JointGate;
    } else if (options.routing != QLatin1String("weights")) {
        *error = tr("Unknown expert choice “%1”.").arg(options.routing);
        return std::nullopt;
    }
    return out;
}

std::optional<FinetuneSession::SavedRun> FinetuneSession::savedRun(const QString& checkpointDir) {
    const QString statePath = QDir(checkpointDir).filePath(QStringLiteral("state.json"));
    if (!QFileInfo::exists(statePath)) {
        return std::nullopt;
    }
    try {
        const auto checkpoint = moewb::readFinetuneCheckpoint(checkpointDir.toStdString());
        if (!checkpoint) {
            return std::nullopt;
        }
        SavedRun run;
        run.step = checkpoint->step;
        run.seconds = checkpoint->seconds;
        run.curve = checkpoint->curve;
        return run;
    } catch (const std::exception&) {
        return std::nullopt;  // a newer or damaged state: nothing to show, resume will say why
    }
}

RouterEntry FinetuneSession::loadRouter(const moewb::Project& project, const std::string& name,
                                        const QList<PartitionEntry>& partitions,
                                        TunedCache* cache) {
    const std::string path = project.routerPath(name);
    const auto header = moewb::readRouterHeader(path);
    const auto partition =
        std::find_if(partitions.begin(), partitions.end(), [&](const PartitionEntry& entry) {
            return entry.name == QString::fromStdString(header.partition);
        });
    if (partition == partitions.end()) {
        throw std::runtime_error("its partition '" + header.partition +
                                 "' is missing; re-run the Routers step");
    }
    RouterEntry router;
    router.name = QString::fromStdString(name);
    router.partition = partition->name;
    if (header.model.empty()) {
        router.set =
            std::make_shared<moewb::RouterSet>(moewb::loadRouterSet(path, partition->experts));
        return router;
    }
    ModelHandle& model = cache->models[header.model];
    if (!model.isValid()) {
        const std::string file = project.modelFilePath(header.model);
        try {
            model.model = moewb::NmtModel::load(file);
        } catch (const std::exception& error) {
            throw std::runtime_error("its fine-tuned model cannot be read (" +
                                     std::string(error.what()) + ")");
        }
        model.path = QString::fromStdString(file);
    }
    auto& experts = cache->experts[{header.model, header.partition}];
    if (experts.empty()) {
        experts = moewb::buildExperts(*model.model, *partition->set);
    }
    router.model = QString::fromStdString(header.model);
    router.tunedModel = model;
    router.experts = experts;
    router.set = std::make_shared<moewb::RouterSet>(moewb::loadRouterSet(path, experts));
    return router;
}

int FinetuneSession::run(const StepOptions& options) {
    moewb::Project* project = m_session->project();
    if (!project || !m_session->model().isValid()) {
        return m_session->refuse(Step::Finetune, tr("Open a project first."));
    }
    if (m_jobId != 0) {
        return m_session->refuse(Step::Finetune,
                                 tr("A fine-tune is already running: wait for it or cancel it."));
    }
    const auto partition =
        std::find_if(m_session->partitions().begin(), m_session->partitions().end(),
                     [&](const PartitionEntry& entry) { return entry.name == options.partition; });
    if (partition == m_session->partitions().end() || !partition->set) {
        return m_session->refuse(Step::Finetune,
                                 tr("Fine-tuning runs the experts of a partition: run the "
                                    "Partitions step first (partition '%1' does not exist).")
                                     .arg(options.partition));
    }
    const QString name = modelName(options);
    const QString routerName = name + QStringLiteral("-mlp");
    std::string checkpointDir, modelPath, routerPath;
    try {
        checkpointDir = project->finetuneCheckpointDir(name.toStdString());
        modelPath = project->modelFilePath(name.toStdString());
        routerPath = project->routerPath(routerName.toStdString());
    } catch (const std::exception& error) {
        return m_session->refuse(Step::Finetune, QString::fromStdString(error.what()));
    }
    const bool hasCheckpoint = moewb::fileExists(checkpointDir + "/state.json");
    if (hasCheckpoint && !options.resume) {
        // Never start over silently: the checkpoint may hold an hour of training.
        return m_session->refuse(Step::Finetune,
                                 tr("finetune/%1 holds the checkpoint of an earlier run: tick "
                                    "Resume to continue it, or give the model another name.")
                                     .arg(name));
    }
    if (options.trainSource.isEmpty() != options.trainTarget.isEmpty()) {
        return m_session->refuse(Step::Finetune,
                                 tr("Choose both the German and the English training file."));
    }
    const auto set = partition->set;
    QString error;
    auto tuneOptions = finetuneOptions(options, set->layers.front().numExperts,
                                       int(set->layers.size()), checkpointDir, &error);
    if (!tuneOptions) {
        return m_session->refuse(Step::Finetune, error);
    }

    // Points come from the training thread; they are queued to the application object (which
    // outlives every job) and dropped there when this session is gone or a newer run started.
    const int run = ++m_run;
    QPointer<FinetuneSession> self(this);
    auto post = [self, run](std::function<void(FinetuneSession&)> apply) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, run, apply] {
                if (self && self->m_run == run) {
                    apply(*self);
                }
            },
            Qt::QueuedConnection);
    };
    tuneOptions->onPoint = [post](const moewb::FinetunePoint& point) {
        post([point](FinetuneSession& session) {
            session.m_curve.push_back(point);
            Q_EMIT session.pointAdded(point);
        });
    };
    m_curve.clear();
    m_curveModel = name;
    Q_EMIT curveReset(name);

    const std::string folderStd = project->folder();
    const std::string partitionName = options.partition.toStdString();
    const std::string nameStd = name.toStdString();
    const std::string source = options.trainSource.toStdString();
    const std::string target = options.trainTarget.toStdString();
    const QString stateDir = QString::fromStdString(checkpointDir);
    const bool resume = options.resume && hasCheckpoint;
    auto outcome = std::make_shared<Outcome>();
    const moewb::FinetuneOptions finalOptions = *tuneOptions;
    auto work = [=](moewb::Feedback& feedback) {
        if (resume) {
            if (const auto saved = savedRun(stateDir)) {
                post([curve = saved->curve](FinetuneSession& session) {
                    session.m_curve = curve;
                    Q_EMIT session.curveReset(session.m_curveModel);
                });
            }
        }
        moewb::FinetuneData data;
        {
            feedback.setProgress(0.0, "reading the training data");
            moewb::SubFeedback read(feedback, 0.0, 0.01);
            // The Ding train split, or the Moses pair the user chose, as `moewb finetune`.
            moewb::CorpusSource corpus;
            if (!source.empty()) {
                corpus.kind = moewb::CorpusSource::Kind::Moses;
                corpus.sourcePath = source;
                corpus.targetPath = target;
            }
            const moewb::ParallelCorpus training = moewb::loadTrainingData(corpus, read);
            data.train = training.pairs;
            data.description = training.description;
            data.valid = moewb::loadDemoSet().pairs;
        }
        // The step itself is core's, shared with `moewb finetune` (FinetuneStep.h): it loads its
        // own copy of the dense model, keeps its precision, trains the router on the result and
        // writes the model and router only when everything succeeded. It works on its own
        // Project object: the GUI's belongs to the GUI thread.
        auto project = moewb::Project::open(folderStd);
        moewb::FinetuneStepOptions step;
        step.partition = partitionName;
        step.name = nameStd;
        step.tuning = finalOptions;
        step.routerTokens = kRouterTokens;
        if (finalOptions.routing == moewb::TrainingRouting::Router) {
            step.trainingRouter = partitionName + "-mlp";  // the Routers step's MLP router
        }
        auto done = moewb::runFinetuneStep(project, step, data, feedback);
        ModelHandle handle;
        handle.model = done.model;
        handle.path = QString::fromStdString(done.modelPath);
        outcome->model = handle;
        outcome->routers.assign(done.routers.begin(), done.routers.end());
        for (const auto& routerName : done.routerNames) {
            outcome->routerNames.push_back(QString::fromStdString(routerName));
        }
        outcome->experts = done.experts;
        outcome->curve = std::move(done.tuning.curve);
        outcome->stopReason = done.tuning.stopReason;
    };
    const QString partitionQ = options.partition;
    auto onSuccess = [this, outcome, name, partitionQ, finalOptions] {
        if (auto* open = m_session->project()) {
            open->stepOptions("finetune:" + name.toStdString()) = {
                {"partition", partitionQ.toStdString()},
                {"layer_k", finalOptions.layerK},
                {"mixed_k", finalOptions.mixedK},
                {"kd_weight", finalOptions.kdWeight},
                {"ce_weight", finalOptions.ceWeight},
                {"mse_weight", finalOptions.mseWeight},
                {"routing", moewb::trainingRoutingName(finalOptions.routing)},
                {"time_budget_seconds", finalOptions.timeBudgetSeconds},
                {"stop_reason", outcome->stopReason}};
        }
        m_curve = outcome->curve;
        m_curveModel = name;
        Q_EMIT curveReset(name);
        for (std::size_t r = 0; r < outcome->routers.size(); ++r) {
            RouterEntry router;
            router.name = outcome->routerNames[r];
            router.partition = partitionQ;
            router.set = outcome->routers[r];
            router.model = name;
            router.tunedModel = outcome->model;
            router.experts = outcome->experts;
            m_session->addTunedModel(name, router);
        }
    };
    const int id = m_session->startStep(Step::Finetune,
                                        tr("Fine-tuning %1 (K = %2 of %3)")
                                            .arg(name)
                                            .arg(finalOptions.layerK.front())
                                            .arg(set->layers.front().numExperts),
                                        work, onSuccess);
    if (id == 0) {
        return 0;
    }
    m_jobId = id;
    auto ended = std::make_shared<QMetaObject::Connection>();
    *ended = connect(m_session, &ProjectSession::stepFinished, this, [this, ended](Step step) {
        if (step == Step::Finetune) {
            QObject::disconnect(*ended);
            m_jobId = 0;
        }
    });
    return id;
}

QString FinetuneSession::summary() const {
    QStringList models;
    for (const QString& model : m_session->tunedModels()) {
        QStringList routers;
        for (const auto& entry : m_session->routers()) {
            if (entry.model == model) {
                routers << entry.name;
            }
        }
        models << (routers.isEmpty() ? tr("%1 (no router)").arg(model)
                                     : QStringLiteral("%1 → %2").arg(model, routers.join(", ")));
    }
    return models.isEmpty() ? tr("not run") : models.join(QStringLiteral("; "));
}

bool FinetuneSession::loadCurve(const QString& name) {
    const moewb::Project* project = m_session->project();
    if (!project || m_jobId != 0) {
        return false;
    }
    QString dir;
    try {
        dir = QString::fromStdString(project->finetuneCheckpointDir(name.toStdString()));
    } catch (const std::exception&) {
        return false;
    }
    if (!QFileInfo::exists(QDir(dir).filePath(QStringLiteral("state.json")))) {
        return false;
    }
    // The state holds every step of the run; read it off the GUI thread.
    auto saved = std::make_shared<std::optional<SavedRun>>();
    const int run = ++m_run;
    m_jobs->start(
        tr("Loading the fine-tuning curve"),
        [saved, dir](moewb::Feedback&) { *saved = savedRun(dir); }, this,
        [=](JobRunner::Outcome outcome, const QString&) {
            if (outcome == JobRunner::Outcome::Succeeded && run == m_run && *saved) {
                m_curve = (*saved)->curve;
                m_curveModel = name;
                Q_EMIT curveReset(name);
            }
        });
    return true;
}

void FinetuneSession::onOpened() {
    ++m_run;  // points of another project's run are not this project's curve
    m_curve.clear();
    m_curveModel.clear();
    Q_EMIT curveReset(QString());
    // The most recent run of the project, so its curve shows again when the project is reopened.
    const QString root = m_session->folder() + QStringLiteral("/finetune");
    QString newest;
    QDateTime newestTime;
    for (const QFileInfo& info : QDir(root).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QFileInfo state(QDir(info.filePath()).filePath(QStringLiteral("state.json")));
        if (state.exists() && (newest.isEmpty() || state.lastModified() > newestTime)) {
            newest = info.fileName();
            newestTime = state.lastModified();
        }
    }
    if (!newest.isEmpty()) {
        loadCurve(newest);
    }
}

}  // namespace moewb::gui
