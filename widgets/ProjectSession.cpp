#include "ProjectSession.h"

#include "FinetuneSession.h"
#include "JobRunner.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"
#include "moewb/workflow/ProjectSteps.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLocale>
#include <QStandardPaths>

namespace moewb::gui {

namespace {

std::string toStd(const QString& text) {
    return text.toStdString();
}

}  // namespace

ProjectSession::ProjectSession(JobRunner* jobs, QObject* parent) : QObject(parent), m_jobs(jobs) {
    m_finetune = new FinetuneSession(this, jobs);
}

QString ProjectSession::defaultProjectFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("default-project"));
}

QString ProjectSession::folder() const {
    return m_project ? QString::fromStdString(m_project->folder()) : QString();
}

int ProjectSession::open(const QString& folder, const QString& modelPath) {
    auto loaded = std::make_shared<ProjectSnapshot>();
    const std::string folderStd = toStd(folder), modelStd = toStd(modelPath);
    return m_jobs->start(
        tr("Opening project"),
        [=](moewb::Feedback& feedback) {
            *loaded = ProjectSnapshot::load(folderStd, modelStd, feedback);
        },
        this,
        [this, loaded, folder](JobRunner::Outcome outcome, const QString& message) {
            if (outcome == JobRunner::Outcome::Succeeded) {
                apply(*loaded);
            } else if (outcome == JobRunner::Outcome::Failed) {
                Q_EMIT openFailed(folder, message);
            }
        });
}

void ProjectSession::apply(ProjectSnapshot& loaded) {
    m_project = std::move(loaded.project);
    m_model = loaded.model;
    m_profile = loaded.profile;
    m_partitions = loaded.partitions;
    m_routers = loaded.routers;
    m_sweeps = loaded.sweeps;
    m_comparisons = loaded.comparisons;
    m_tunedModels = loaded.tunedModels;
    m_stale = loaded.stale;
    Q_EMIT modelChanged();
    Q_EMIT profileChanged();
    Q_EMIT partitionsChanged();
    Q_EMIT routersChanged();
    Q_EMIT sweepsChanged();
    Q_EMIT tunedModelsChanged();
    Q_EMIT opened(folder());
    if (!loaded.problems.isEmpty()) {
        Q_EMIT stepFailed(Step::Model, tr("Some artifacts could not be read and were skipped:\n%1")
                                         .arg(loaded.problems.join('\n')));
    }
    const QStringList stale = m_stale.newSince(StaleArtifacts{});
    if (!stale.isEmpty()) {
        Q_EMIT artifactsStale(stale);
    }
}

void ProjectSession::applyStale(const StaleArtifacts& stale) {
    const QStringList orphaned = stale.newSince(m_stale);
    const bool sweepMarksChanged = stale.sweeps != m_stale.sweeps;
    m_stale = stale;
    // A stale router must not be offered: it would pick experts that no longer exist.
    const int before = m_routers.size();
    m_routers.erase(
        std::remove_if(m_routers.begin(), m_routers.end(),
                       [&](const RouterEntry& r) { return m_stale.routers.contains(r.name); }),
        m_routers.end());
    if (m_routers.size() != before) {
        Q_EMIT routersChanged();
    }
    if (sweepMarksChanged) {
        Q_EMIT sweepsChanged();  // the summary shows the stale marks
    }
    if (!orphaned.isEmpty()) {
        Q_EMIT artifactsStale(orphaned);
    }
}

bool ProjectSession::save(QString* error) {
    if (!m_project) {
        *error = tr("No project is open.");
        return false;
    }
    try {
        m_project->save();
        return true;
    } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
        return false;
    }
}

int ProjectSession::saveAs(const QString& target) {
    if (!m_project) {
        Q_EMIT openFailed(target, tr("No project is open."));
        return 0;
    }
    const QString source = folder();
    const QString model = m_model.path;
    return m_jobs->start(
        tr("Copying project"),
        [=](moewb::Feedback& feedback) {
            if (QFileInfo::exists(QDir(target).filePath("project.json"))) {
                throw std::runtime_error(toStd(target) +
                                         " already holds a project; choose another");
            }
            QDirIterator it(source, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                feedback.throwIfCancelled();
                const QString file = it.next();
                const QString relative = QDir(source).relativeFilePath(file);
                const QString destination = QDir(target).filePath(relative);
                QDir().mkpath(QFileInfo(destination).absolutePath());
                moewb::writeFileAtomic(toStd(destination), moewb::readFileBytes(toStd(file)));
            }
        },
        // A failed copy is reported by the job status like every failed job.
        this,
        [this, target, model](JobRunner::Outcome outcome, const QString&) {
            if (outcome == JobRunner::Outcome::Succeeded) {
                open(target, model);
            }
        });
}

int ProjectSession::refuse(Step step, const QString& message) {
    Q_EMIT stepFailed(step, message);
    return 0;
}

void ProjectSession::addTunedModel(const QString& name, const RouterEntry& router) {
    if (!m_tunedModels.contains(name)) {
        m_tunedModels << name;
        m_tunedModels.sort();
    }
    m_routers.erase(std::remove_if(m_routers.begin(), m_routers.end(),
                                   [&](const RouterEntry& r) { return r.name == router.name; }),
                    m_routers.end());
    m_routers << router;
    Q_EMIT tunedModelsChanged();
    Q_EMIT routersChanged();
}

int ProjectSession::startStep(Step step, const QString& title,
                              std::function<void(moewb::Feedback&)> work,
                              std::function<void()> onSuccess) {
    if (!m_project || !m_model.isValid()) {
        Q_EMIT stepFailed(step, tr("Open a project first."));
        return 0;
    }
    // After the step, on its worker: which artifacts its output has orphaned (ArtifactLineage.h).
    auto stale = std::make_shared<StaleArtifacts>();
    const moewb::Project project = *m_project;
    const int id = m_jobs->start(
        title,
        [work = std::move(work), stale, project](moewb::Feedback& feedback) {
            work(feedback);
            try {
                *stale = StaleArtifacts::from(moewb::findStaleArtifacts(project));
            } catch (const std::exception&) {
                // Only a report: the step itself succeeded.
            }
        },
        this,
        [=](JobRunner::Outcome outcome, const QString& message) {
            if (outcome != JobRunner::Outcome::Succeeded) {
                m_quickStart.clear();
                if (outcome == JobRunner::Outcome::Failed) {
                    Q_EMIT stepFailed(step, message);
                }
                Q_EMIT stepFinished(step, false);
                return;
            }
            onSuccess();
            applyStale(*stale);
            try {
                m_project->save();
            } catch (const std::exception& error) {
                Q_EMIT stepFailed(step, QString::fromStdString(error.what()));
            }
            Q_EMIT stepFinished(step, true);
        });
    Q_EMIT stepStarted(step, id);
    return id;
}

int ProjectSession::runProfile(const ProfileStepOptions& options) {
    auto result = std::make_shared<moewb::ProfileStepResult>();
    const ModelHandle model = m_model;
    const auto project = m_project ? std::make_shared<const moewb::Project>(*m_project) : nullptr;
    moewb::ProfileStepOptions step;  // the training pairs: the Ding train split, as `moewb profile`
    step.tokens = options.tokens;
    return startStep(
        Step::Profile, tr("Profiling FFN activations"),
        [=](moewb::Feedback& feedback) {
            *result = moewb::runProfileStep(*project, *model.model, step, feedback);
        },
        [=] {
            m_profile = result->profile;
            m_project->stepOptions(result->stepKey) = result->stepOptions;
            Q_EMIT profileChanged();
        });
}

int ProjectSession::runPartition(const PartitionStepOptions& options) {
    if (options.method == "metis" && !m_profile) {
        Q_EMIT stepFailed(
            Step::Partitions,
            tr("METIS partitions the co-activation graph: run the Profile step first."));
        return 0;
    }
    moewb::PartitionStepOptions step;
    step.partition.method = toStd(options.method);
    step.partition.numExperts = options.experts;
    step.partition.seed = static_cast<uint64_t>(options.seed);
    step.partition.sharedNeurons = options.sharedNeurons;
    step.name = toStd(options.name);
    if (m_model.isValid()) {
        try {
            moewb::validatePartitionStep(*m_model.model, step);
        } catch (const std::exception& error) {
            Q_EMIT stepFailed(Step::Partitions, QString::fromStdString(error.what()));
            return 0;
        }
    }
    const QString name = QString::fromStdString(moewb::partitionStepName(step));
    auto result = std::make_shared<moewb::PartitionStepResult>();
    const ModelHandle model = m_model;
    const ProfileHandle profile = m_profile;
    const auto project = m_project ? std::make_shared<const moewb::Project>(*m_project) : nullptr;
    return startStep(
        Step::Partitions, tr("Partitioning into %1 experts (%2)").arg(options.experts).arg(name),
        [=](moewb::Feedback& feedback) {
            // The partitioner reads the shared model (importance differentiates a private copy).
            *result =
                moewb::runPartitionStep(*project, *model.model, step, feedback, profile.get());
        },
        [=] {
            m_partitions.erase(
                std::remove_if(m_partitions.begin(), m_partitions.end(),
                               [&](const PartitionEntry& e) { return e.name == name; }),
                m_partitions.end());
            m_partitions << PartitionEntry{name, result->set, result->experts};
            m_project->stepOptions(result->stepKey) = result->stepOptions;
            // Routers over the old split of this name, if it changed, are dropped as stale by
            // applyStale() right after this.
            Q_EMIT partitionsChanged();
            if (!m_quickStart.isEmpty() && m_quickStart.front() == "routers") {
                m_quickStart.pop_front();
                RouterStepOptions routers;
                routers.partition = name;
                routers.kind = QStringLiteral("similarity");
                runRouters(routers);
            }
        });
}

std::vector<std::shared_ptr<moewb::ExpertFfn>> ProjectSession::expertsOf(
    const QString& partition) const {
    for (const auto& entry : m_partitions) {
        if (entry.name == partition) {
            return entry.experts;
        }
    }
    return {};
}

int ProjectSession::runRouters(const RouterStepOptions& options) {
    const auto experts = expertsOf(options.partition);
    if (experts.empty()) {
        Q_EMIT stepFailed(Step::Routers,
                        tr("Routers pick experts of a partition: run the Partitions step first "
                           "(partition '%1' does not exist).")
                            .arg(options.partition));
        return 0;
    }
    moewb::RouteStepOptions step;  // the training pairs: the Ding train split, as `moewb route`
    step.partition = toStd(options.partition);
    step.training.kind = toStd(options.kind);
    step.training.mlp.epochs = options.epochs;
    step.tokens = options.tokens;
    step.name = toStd(options.name);
    const QString name = QString::fromStdString(moewb::routeStepName(step));
    auto result = std::make_shared<moewb::RouteStepResult>();
    const ModelHandle model = m_model;
    const auto project = m_project ? std::make_shared<const moewb::Project>(*m_project) : nullptr;
    return startStep(
        Step::Routers, tr("Building %1 routers over %2").arg(options.kind, options.partition),
        [=](moewb::Feedback& feedback) {
            *result = moewb::runRouteStep(*project, *model.model, step, feedback, &experts);
        },
        [=] {
            m_routers.erase(std::remove_if(m_routers.begin(), m_routers.end(),
                                           [&](const RouterEntry& r) { return r.name == name; }),
                            m_routers.end());
            RouterEntry entry;
            entry.name = name;
            entry.partition = options.partition;
            entry.set = result->set;
            m_routers << entry;
            m_project->stepOptions(result->stepKey) = result->stepOptions;
            Q_EMIT routersChanged();
        });
}

int ProjectSession::runSweep(const SweepStepOptions& options) {
    for (double tau : options.thresholds) {
        if (!(tau > 0 && tau < 1)) {
            return refuse(Step::Sweeps, tr("A dynamic-K threshold τ lies between 0 and 1 "
                                           "(exclusive), e.g. 0.3,0.4,0.5; got %1.")
                                            .arg(tau));
        }
    }
    const RouterEntry* router = nullptr;
    for (const auto& entry : m_routers) {
        if (entry.name == options.router) {
            router = &entry;
        }
    }
    if (!router) {
        Q_EMIT stepFailed(Step::Sweeps, tr("Sweeps run a router: run the Routers step first "
                                         "(router '%1' does not exist).")
                                          .arg(options.router));
        return 0;
    }
    // A fine-tuned model's router runs that model (with the experts built from its weights) in
    // the MoE rows; the dense rows stay the project's model, as in `moewb sweep`.
    moewb::ProjectMoe moe;
    moe.routerName = toStd(router->name);
    moe.partitionName = toStd(router->partition);
    moe.fineTuned = router->isTuned();
    moe.model = moe.fineTuned ? router->tunedModel.model : m_model.model;
    moe.experts = moe.fineTuned ? router->experts : expertsOf(router->partition);
    moe.routers = router->set;
    moewb::SweepStepOptions step;
    step.name =
        toStd(options.name.isEmpty() ? options.router + (options.classic ? "-comparison" : "")
                                     : options.name);
    step.comparison = options.classic;
    step.sentenceLimit = options.sentenceLimit;
    if (options.encoderK > 0) {
        // One encoder K against every decoder K 1, 2, 4, …, N (left empty, the decoder list
        // would copy the encoder's and give a single row).
        step.sweep.encoderKs = {options.encoderK};
        for (int k = 1; k <= moe.numExperts(); k *= 2) {
            step.sweep.decoderKs.push_back(k);
        }
        step.sweep.grid = true;
    }
    step.sweep.thresholds = options.thresholds;
    step.sweep.dynamicMaxK = options.dynamicMaxK;
    if (options.rounds > 0) {
        step.sweep.timing.minRounds = step.sweep.timing.maxRounds = options.rounds;
    }
    const QString name = QString::fromStdString(step.name);
    const ModelHandle model = m_model;
    const auto project = m_project ? std::make_shared<const moewb::Project>(*m_project) : nullptr;
    auto result = std::make_shared<moewb::SweepStepResult>();
    return startStep(
        Step::Sweeps,
        options.classic ? tr("Classic comparison with %1").arg(options.router)
                        : tr("Sweeping K with %1").arg(options.router),
        [=](moewb::Feedback& feedback) {
            // No lock: core sweeps pass their MoE as a plan and never modify the shared model, so
            // the translator keeps working on it meanwhile (docs/moe-quality.md,
            // "The MoE plan is a value").
            *result = moewb::runSweepStep(*project, *model.model, moe, step, feedback);
        },
        [=] {
            if (options.classic) {
                m_comparisons.erase(
                    std::remove_if(m_comparisons.begin(), m_comparisons.end(),
                                   [&](const ComparisonEntry& e) { return e.name == name; }),
                    m_comparisons.end());
                m_comparisons << ComparisonEntry{name, result->comparison};
            } else {
                m_sweeps.erase(std::remove_if(m_sweeps.begin(), m_sweeps.end(),
                                              [&](const SweepEntry& e) { return e.name == name; }),
                               m_sweeps.end());
                m_sweeps << SweepEntry{name, result->sweep};
            }
            Q_EMIT sweepsChanged();
        });
}

void ProjectSession::runQuickStart() {
    m_quickStart = {QStringLiteral("partition"), QStringLiteral("routers")};
    auto next = std::make_shared<QMetaObject::Connection>();
    *next = connect(this, &ProjectSession::profileChanged, this, [this, next] {
        QObject::disconnect(*next);
        if (!m_quickStart.isEmpty() && m_quickStart.front() == "partition") {
            m_quickStart.pop_front();
            runPartition(PartitionStepOptions{});
        }
    });
    if (m_profile) {
        Q_EMIT profileChanged();
    } else {
        runProfile(ProfileStepOptions{});
    }
}

bool ProjectSession::stepDone(Step step) const {
    switch (step) {
        case Step::Corpus:
            return moewb::fileExists(moewb::CorpusSource{}.path);
        case Step::Model:
            return m_model.isValid();
        case Step::Profile:
            return m_profile != nullptr;
        case Step::Partitions:
            return !m_partitions.isEmpty();
        case Step::Routers:
            return !m_routers.isEmpty();
        case Step::Sweeps:
            return !m_sweeps.isEmpty() || !m_comparisons.isEmpty();
        case Step::Finetune:
            return !m_tunedModels.isEmpty();
    }
    return false;
}

QString ProjectSession::stepSummary(Step step) const {
    const QLocale locale;
    switch (step) {
        case Step::Corpus:
            return stepDone(step) ? tr("Ding dictionary (trans-de-en)")
                                  : tr("trans-de-en is not installed (apt install trans-de-en)");
        case Step::Model:
            return m_model.isValid() ? tr("%1 (%2 FFN layers)")
                                           .arg(QFileInfo(m_model.path).fileName())
                                           .arg(m_model.model->config().encoderLayers +
                                                m_model.model->config().decoderLayers)
                                     : tr("not loaded");
        case Step::Profile:
            return m_profile ? tr("%1 layers, %2 tokens")
                                   .arg(m_profile->layers.size())
                                   .arg(locale.toString(qlonglong(m_profile->sourceTokens +
                                                                  m_profile->targetTokens)))
                             : tr("not run");
        case Step::Partitions: {
            QStringList names;
            for (const auto& entry : m_partitions) {
                names << entry.name;
            }
            return names.isEmpty() ? tr("not run") : names.join(", ");
        }
        case Step::Routers: {
            QStringList names;
            for (const auto& entry : m_routers) {
                names << entry.name;
            }
            QString text = names.isEmpty() ? tr("not run") : names.join(", ");
            if (!m_stale.routers.isEmpty()) {
                text += tr("; stale (partition re-run, run this step again): %1")
                            .arg(m_stale.routers.keys().join(", "));
            }
            return text;
        }
        case Step::Sweeps: {
            QString text =
                stepDone(step)
                    ? tr("%1 sweeps, %2 comparisons").arg(m_sweeps.size()).arg(m_comparisons.size())
                    : tr("not run");
            if (!m_stale.sweeps.isEmpty()) {
                text += tr("; stale (partition or router re-run): %1")
                            .arg(m_stale.sweeps.keys().join(", "));
            }
            return text;
        }
        case Step::Finetune:
            return m_finetune->summary();
    }
    return {};
}

}  // namespace moewb::gui
