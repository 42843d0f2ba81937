#include "SentencePicker.h"

#include "DemoSentenceModel.h"
#include "JobRunner.h"

#include "moewb/corpus/MosesCorpusReader.h"
#include "moewb/corpus/TsvCorpusReader.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

namespace moewb::gui {

SentencePicker::SentencePicker(JobRunner* jobs, QWidget* parent)
    : QGroupBox(tr("Sentences"), parent), m_jobs(jobs) {
    setObjectName(QStringLiteral("sentencePicker"));
    setToolTip(
        tr("The built-in demo sentences with their English references, and the sentences "
           "you add or open"));
    m_sentences = new DemoSentenceModel(this);
    m_sentences->loadBuiltInDemoSet(&m_demoSetError);

    auto* layout = new QVBoxLayout(this);
    m_list = new QListView(this);
    m_list->setObjectName(QStringLiteral("sentenceList"));
    m_list->setModel(m_sentences);
    m_list->setUniformItemSizes(true);
    m_list->setToolTip(tr("Pick a sentence to translate it"));
    layout->addWidget(m_list);
    m_addButton = new QPushButton(tr("Add sentence"), this);
    m_addButton->setToolTip(
        tr("Add the German sentence in the input, with its reference if you typed one"));
    m_openButton = new QPushButton(tr("Open parallel file…"), this);
    m_openButton->setToolTip(
        tr("Add sentences from a TSV file (German<TAB>English) or from two line-aligned files "
           "(German and English, e.g. test.de and test.en: select both)"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_addButton);
    buttons->addWidget(m_openButton);
    layout->addLayout(buttons);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) {
                    const auto& s = m_sentences->sentence(current.row());
                    Q_EMIT sentenceChosen(s.source, s.reference);
                }
            });
    connect(m_addButton, &QPushButton::clicked, this, &SentencePicker::addRequested);
    connect(m_openButton, &QPushButton::clicked, this, &SentencePicker::chooseParallelFile);
}

bool SentencePicker::addSentence(const QString& source, const QString& reference) {
    const int row = m_sentences->addSentence(source, reference, DemoSentenceModel::Origin::User);
    if (row < 0) {
        return false;
    }
    pick(row);
    return true;
}

void SentencePicker::pick(int row) {
    const QModelIndex index = m_sentences->index(row);
    if (m_list->currentIndex() == index) {
        const auto& s = m_sentences->sentence(row);
        Q_EMIT sentenceChosen(s.source, s.reference);  // picked again: the input may have changed
    }
    m_list->setCurrentIndex(index);
    m_list->scrollTo(index);
}

void SentencePicker::chooseParallelFile() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open parallel text"), QDir::homePath(),
        tr("Parallel text (*.tsv *.de *.en *.txt *.gz);;All files (*)"));
    if (files.isEmpty()) {
        return;
    }
    if (files.size() > 2) {
        Q_EMIT parallelFileFailed(tr("Select one TSV file, or one German and one English file."));
        return;
    }
    if (files.size() == 1) {
        openParallelFile(files.front());
        return;
    }
    // Two files: the German one is named *.de (or *.de.gz); otherwise the first is German.
    const auto german = [](const QString& f) {
        return f.endsWith(QStringLiteral(".de")) || f.endsWith(QStringLiteral(".de.gz"));
    };
    const bool secondIsGerman = german(files[1]) && !german(files[0]);
    openParallelFile(files[secondIsGerman ? 1 : 0], files[secondIsGerman ? 0 : 1]);
}

void SentencePicker::openParallelFile(const QString& sourcePath, const QString& referencePath) {
    if (m_readJob != 0) {
        m_jobs->cancel(m_readJob);  // the newest choice wins
    }
    auto corpus = std::make_shared<moewb::ParallelCorpus>();
    const std::string source = QFile::encodeName(sourcePath).toStdString();
    const std::string reference = QFile::encodeName(referencePath).toStdString();
    m_readCorpus = corpus;
    m_readName = QFileInfo(sourcePath).fileName();
    auto id = std::make_shared<int>(0);
    m_readJob = *id = m_jobs->start(
        tr("Reading %1").arg(m_readName),
        [corpus, source, reference](moewb::Feedback& feedback) {
            *corpus = reference.empty() ? moewb::readTsvCorpus(source, feedback)
                                        : moewb::readMosesCorpus(source, reference, feedback);
        },
        this,
        [this, id, corpus](JobRunner::Outcome outcome, const QString& message) {
            if (*id != m_readJob) {
                return;  // overtaken by a newer choice
            }
            m_readJob = 0;
            m_readCorpus.reset();
            if (outcome == JobRunner::Outcome::Failed) {
                Q_EMIT parallelFileFailed(message);
            }
            if (outcome != JobRunner::Outcome::Succeeded) {
                return;
            }
            const int first = m_sentences->rowCount();
            const int added = m_sentences->addCorpus(*corpus, DemoSentenceModel::Origin::File);
            if (added > 0) {
                m_list->scrollTo(m_sentences->index(first));
            }
            Q_EMIT parallelFileLoaded(added, m_readName);
        });
}

}  // namespace moewb::gui
