#pragma once
// The translator's sentence list: the built-in demo sentences, the user's own, and those read
// from parallel files (in the background, through the JobRunner). Picking one emits it with its
// reference.

#include <QGroupBox>

#include <memory>

class QListView;
class QPushButton;
namespace moewb {
struct ParallelCorpus;
}

namespace moewb::gui {

class DemoSentenceModel;
class JobRunner;

class SentencePicker : public QGroupBox {
    Q_OBJECT

public:
    explicit SentencePicker(JobRunner* jobs, QWidget* parent = nullptr);

    DemoSentenceModel* sentences() const { return m_sentences; }
    // Why the built-in demo set is missing (empty when it loaded).
    const QString& demoSetError() const { return m_demoSetError; }

    // Adds the sentence (or finds it) and picks it. Returns false for an empty sentence.
    bool addSentence(const QString& source, const QString& reference);
    // Picks a row (emits sentenceChosen).
    void pick(int row);
    // Reads a TSV file (German<TAB>English) when `referencePath` is empty, else line-aligned
    // German and English files, on a worker; ends with parallelFileLoaded or parallelFileFailed.
    void openParallelFile(const QString& sourcePath, const QString& referencePath = {});

Q_SIGNALS:
    void sentenceChosen(const QString& source, const QString& reference);
    // "Add sentence" was pressed: the owner passes its input to addSentence().
    void addRequested();
    void parallelFileLoaded(int added, const QString& fileName);
    void parallelFileFailed(const QString& message);

private:
    void chooseParallelFile();

    JobRunner* m_jobs;
    DemoSentenceModel* m_sentences = nullptr;
    QListView* m_list = nullptr;
    QPushButton* m_addButton = nullptr;
    QPushButton* m_openButton = nullptr;
    QString m_demoSetError;
    int m_readJob = 0;  // the file being read, 0 when none
    std::shared_ptr<moewb::ParallelCorpus> m_readCorpus;
    QString m_readName;
};

}  // namespace moewb::gui
