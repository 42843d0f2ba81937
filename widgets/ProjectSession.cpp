#include "ProjectSession.h"

#include "FinetuneSession.h"
#include "JobRunner.h"

#include "moewb/corpus/CorpusSource.h"
#include "moewb/corpus/CorpusSplit.h"
#include "moewb/corpus/DemoSet.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/Paths.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLocale>
#include <QStandardPaths>

namespace {

std::string toStd(const QString& text) {
    return text.toStdString();
}

// Training pairs of the profile and router steps: the Ding dictionary's sentence train split,
// the same default as `moewb profile` / `moewb route`.
std::vector<moewb::SentencePair> trainingPairs(moewb::Feedback& feedback) {
    moewb::CorpusSource ding;
    return moewb::splitCorpus(moewb::loadCorpus(ding, feedback), moewb::SplitOptions{}).train.pairs;
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
    const int id = m_jobs->start(tr("Opening project"), [=](moewb::Feedback& feedback) {
        *loaded = ProjectSnapshot::load(folderStd, modelStd, feedback);
    });
    connect(m_jobs, &JobRunner::succeeded, this, [this, id, loaded](int done) {
        if (done == id) {
            apply(*loaded);
        }
    });
    connect(m_jobs, &JobRunner::failed, this, [this, id, folder](int done, const QString& message) {
        if (done == id) {
            emit openFailed(folder, message);
        }
    });
    return id;
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
    emit modelChanged();
    emit profileChanged();
    emit partitionsChanged();
    emit routersChanged();
    emit sweepsChanged();
    emit tunedModelsChanged();
    emit opened(folder());
    if (!loaded.problems.isEmpty()) {
        emit stepFailed(Step::Model, tr("Some artifacts could not be read and were skipped:\n%1")
                                         .arg(loaded.problems.join('\n')));
    }
    const QStringList stale = m_stale.newSince(StaleArtifacts{});
    if (!stale.isEmpty()) {
        emit artifactsStale(stale);
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
        emit routersChanged();
    }
    if (sweepMarksChanged) {
        emit sweepsChanged();  // the summary shows the stale marks
    }
    if (!orphaned.isEmpty()) {
        emit artifactsStale(orphaned);
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
        emit openFailed(target, tr("No project is open."));
        return 0;
    }
    const QString source = folder();
    const QString model = m_model.path;
    auto copied = std::make_shared<bool>(false);
    const int id = m_jobs->start(tr("Copying project"), [=](moewb::Feedback& feedback) {
        if (QFileInfo::exists(QDir(target).filePath("project.json"))) {
            throw std::runtime_error(toStd(target) + " already holds a project; choose another");
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
        *copied = true;
    });
    connect(m_jobs, &JobRunner::succeeded, this, [this, id, target, model](int done) {
        if (done == id) {
            open(target, model);
        }
    });
    return id;
}

int ProjectSession::refuse(Step step, const QString& message) {
    emit stepFailed(step, message);
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
    emit tunedModelsChanged();
    emit routersChanged();
}

int ProjectSession::startStep(Step step, const QString& title,
                              std::function<void(moewb::Feedback&)> work,
                              std::function<void()> onSuccess) {
    if (!m_project || !m_model.isValid()) {
        emit stepFailed(step, tr("Open a project first."));
        return 0;
    }
    // After the step, on its worker: which artifacts its output has orphaned (ArtifactLineage.h).
    auto stale = std::make_shared<StaleArtifacts>();
    const moewb::Project project = *m_project;
    const int id =
        m_jobs->start(title, [work = std::move(work), stale, project](moewb::Feedback& feedback) {
            work(feedback);
            try {
                *stale = StaleArtifacts::from(moewb::findStaleArtifacts(project));
            } catch (const std::exception&) {
                // Only a report: the step itself succeeded.
            }
        });
    auto finished = std::make_shared<QMetaObject::Connection>();
    auto failed = std::make_shared<QMetaObject::Connection>();
    auto cancelled = std::make_shared<QMetaObject::Connection>();
    auto disconnectAll = [finished, failed, cancelled] {
        QObject::disconnect(*finished);
        QObject::disconnect(*failed);
        QObject::disconnect(*cancelled);
    };
    *finished = connect(m_jobs, &JobRunner::succeeded, this, [=](int done) {
        if (done == id) {
            disconnectAll();
            onSuccess();
            applyStale(*stale);
            try {
                m_project->save();
            } catch (const std::exception& error) {
                emit stepFailed(step, QString::fromStdString(error.what()));
            }
            emit stepFinished(step, true);
        }
    });
    *failed = connect(m_jobs, &JobRunner::failed, this, [=](int done, const QString& message) {
        if (done == id) {
            disconnectAll();
            m_quickStart.clear();
            emit stepFailed(step, message);
            emit stepFinished(step, false);
        }
    });
    *cancelled = connect(m_jobs, &JobRunner::cancelled, this, [=](int done) {
        if (done == id) {
            disconnectAll();
            m_quickStart.clear();
            emit stepFinished(step, false);
        }
    });
    emit stepStarted(step, id);
    return id;
}

int ProjectSession::runProfile(const ProfileStepOptions& options) {
    auto result = std::make_shared<moewb::ProfileResult>();
    const ModelHandle model = m_model;
    const std::string path = m_project ? m_project->profilePath() : std::string();
    return startStep(
        Step::Profile, tr("Profiling FFN activations"),
        [=](moewb::Feedback& feedback) {
            moewb::SubFeedback data(feedback, 0.0, 0.1);
            const auto pairs = trainingPairs(data);
            moewb::ProfileOptions profileOptions;
            profileOptions.tokenBudget = options.tokens;
            moewb::SubFeedback profile(feedback, 0.1, 1.0);
            *result = moewb::profileModel(*model.model, pairs, profileOptions, profile);
            moewb::saveProfile(path, *result);
        },
        [=] {
            m_profile = result;
            m_project->stepOptions("profile") = {{"tokens", options.tokens},
                                                 {"data", "ding sentences, train split"}};
            emit profileChanged();
        });
}

int ProjectSession::runPartition(const PartitionStepOptions& options) {
    if (options.method == "metis" && !m_profile) {
        emit stepFailed(
            Step::Partitions,
            tr("METIS partitions the co-activation graph: run the Profile step first."));
        return 0;
    }
    const QString name = options.name.isEmpty() ? options.method : options.name;
    try {
        moewb::validateArtifactName(toStd(name));
    } catch (const std::exception& error) {
        emit stepFailed(Step::Partitions, QString::fromStdString(error.what()));
        return 0;
    }
    auto entry = std::make_shared<PartitionEntry>();
    entry->name = name;
    const ModelHandle model = m_model;
    const ProfileHandle profile = m_profile;
    const std::string path = m_project->partitionPath(toStd(name));
    return startStep(
        Step::Partitions, tr("Partitioning into %1 experts (%2)").arg(options.experts).arg(name),
        [=](moewb::Feedback& feedback) {
            moewb::ModelPartitionOptions partitionOptions;
            partitionOptions.method = toStd(options.method);
            partitionOptions.numExperts = options.experts;
            partitionOptions.seed = static_cast<uint64_t>(options.seed);
            partitionOptions.sharedNeurons = options.sharedNeurons;
            // Importance is measured with gradients of the translation loss on training pairs.
            std::vector<moewb::SentencePair> pairs;
            if (options.method == "importance") {
                moewb::SubFeedback data(feedback, 0.0, 0.05);
                pairs = trainingPairs(data);
            }
            // The partitioner reads the shared model (importance differentiates a private copy).
            moewb::SubFeedback run(feedback, 0.05, 1.0);
            auto set = std::make_shared<moewb::PartitionSet>(
                moewb::partitionModel(*model.model, profile.get(), pairs, partitionOptions, run));
            moewb::savePartitionSet(path, *set);
            entry->experts = moewb::buildExperts(*model.model, *set);
            entry->set = set;
        },
        [=] {
            m_partitions.erase(
                std::remove_if(m_partitions.begin(), m_partitions.end(),
                               [&](const PartitionEntry& e) { return e.name == name; }),
                m_partitions.end());
            m_partitions << *entry;
            m_project->stepOptions(toStd("partition:" + name)) = entry->set->options;
            // Routers over the old split of this name, if it changed, are dropped as stale by
            // applyStale() right after this.
            emit partitionsChanged();
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
        emit stepFailed(Step::Routers,
                        tr("Routers pick experts of a partition: run the Partitions step first "
                           "(partition '%1' does not exist).")
                            .arg(options.partition));
        return 0;
    }
    const QString name =
        options.name.isEmpty() ? options.partition + "-" + options.kind : options.name;
    auto entry = std::make_shared<RouterEntry>();
    entry->name = name;
    entry->partition = options.partition;
    const ModelHandle model = m_model;
    const std::string path = m_project->routerPath(toStd(name));
    return startStep(
        Step::Routers, tr("Building %1 routers over %2").arg(options.kind, options.partition),
        [=](moewb::Feedback& feedback) {
            moewb::SubFeedback data(feedback, 0.0, 0.05);
            const auto pairs = trainingPairs(data);
            std::vector<torch::Tensor> inputs, ids;  // ids: the hash router's key
            moewb::SubFeedback collect(feedback, 0.05, 0.2);
            inputs = moewb::collectFfnInputs(*model.model, pairs, options.tokens, collect, &ids);
            moewb::RouterTrainingOptions training;
            training.kind = toStd(options.kind);
            training.mlp.epochs = options.epochs;
            moewb::SubFeedback train(feedback, 0.2, 1.0);
            auto set = std::make_shared<moewb::RouterSet>(
                moewb::trainRouters(experts, inputs, training, train, &ids));
            set->partition = toStd(options.partition);
            set->contentHash = moewb::saveRouterSet(path, *set);
            entry->set = set;
        },
        [=] {
            m_routers.erase(std::remove_if(m_routers.begin(), m_routers.end(),
                                           [&](const RouterEntry& r) { return r.name == name; }),
                            m_routers.end());
            m_routers << *entry;
            m_project->stepOptions(toStd("route:" + name)) = {
                {"partition", toStd(options.partition)}, {"router", toStd(options.kind)}};
            emit routersChanged();
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
        emit stepFailed(Step::Sweeps, tr("Sweeps run a router: run the Routers step first "
                                         "(router '%1' does not exist).")
                                          .arg(options.router));
        return 0;
    }
    // A fine-tuned model's router runs that model (with the experts built from its weights) in
    // the MoE rows; the dense rows stay the project's model, as in `moewb sweep`.
    const auto experts = router->isTuned() ? router->experts : expertsOf(router->partition);
    const auto routers = router->set;
    const QString name = options.name.isEmpty()
                             ? options.router + (options.classic ? "-comparison" : "")
                             : options.name;
    const ModelHandle model = m_model;
    const ModelHandle tuned = router->tunedModel;  // invalid: the project's model runs the MoE
    const std::string jsonPath = m_project->sweepPath(toStd(name), "json");
    const std::string csvPath = m_project->sweepPath(toStd(name), "csv");
    auto sweep = std::make_shared<moewb::SweepResult>();
    auto table = std::make_shared<moewb::ComparisonTable>();
    return startStep(
        Step::Sweeps,
        options.classic ? tr("Classic comparison with %1").arg(options.router)
                        : tr("Sweeping K with %1").arg(options.router),
        [=](moewb::Feedback& feedback) {
            auto test = moewb::loadDemoSet();
            if (options.sentenceLimit > 0 &&
                std::size_t(options.sentenceLimit) < test.pairs.size()) {
                test.pairs.resize(std::size_t(options.sentenceLimit));
            }
            // No lock: core sweeps pass their MoE as a plan and never modify the shared model, so
            // the translator keeps working on it meanwhile (docs/moe-quality.md,
            // "The MoE plan is a value").
            moewb::NmtModel& moeModel = tuned.isValid() ? *tuned.model : *model.model;
            if (options.classic) {
                *table = moewb::runComparisonTable(
                    *model.model, experts, *routers, test, {10, 15, 20, 25, 30}, {1, 2, 4, 8},
                    moewb::DecodeOptions{}, feedback, {}, tuned.isValid() ? &moeModel : nullptr);
                moewb::writeFileAtomic(jsonPath, table->toJson().dump(1) + "\n");
                return;
            }
            moewb::SubFeedback collect(feedback, 0.0, 0.1);
            const auto inputs = moewb::collectFfnInputs(moeModel, test.pairs, 20000, collect);
            moewb::SweepOptions sweepOptions;
            sweepOptions.moeModel = tuned.model;
            if (options.encoderK > 0) {
                sweepOptions.encoderKs = {options.encoderK};
                sweepOptions.grid = true;
            }
            sweepOptions.thresholds = options.thresholds;
            sweepOptions.dynamicMaxK = options.dynamicMaxK;
            if (options.rounds > 0) {
                sweepOptions.timing.minRounds = sweepOptions.timing.maxRounds = options.rounds;
            }
            moewb::SubFeedback run(feedback, 0.1, 1.0);
            *sweep =
                moewb::runSweep(*model.model, experts, *routers, test, inputs, sweepOptions, run);
            moewb::writeFileAtomic(csvPath, sweep->toCsv());
            moewb::writeFileAtomic(jsonPath, sweep->toJson().dump(1) + "\n");
        },
        [=] {
            if (options.classic) {
                m_comparisons.erase(
                    std::remove_if(m_comparisons.begin(), m_comparisons.end(),
                                   [&](const ComparisonEntry& e) { return e.name == name; }),
                    m_comparisons.end());
                m_comparisons << ComparisonEntry{name, table};
            } else {
                m_sweeps.erase(std::remove_if(m_sweeps.begin(), m_sweeps.end(),
                                              [&](const SweepEntry& e) { return e.name == name; }),
                               m_sweeps.end());
                m_sweeps << SweepEntry{name, sweep};
            }
            emit sweepsChanged();
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
        emit profileChanged();
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
