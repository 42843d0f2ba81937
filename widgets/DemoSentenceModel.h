#pragma once
// The translator's sentence list: the built-in demo set (German with English references), the
// sentences the user added, and those read from parallel files. A flat list model; a row's
// reference is optional.

#include <QAbstractListModel>
#include <QHash>
#include <QString>
#include <QVector>

namespace moewb {
struct ParallelCorpus;
}

namespace moewb::gui {

class DemoSentenceModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum class Origin { Demo, User, File };
    enum Role {
        SourceRole = Qt::UserRole + 1,  // QString: the German sentence
        ReferenceRole,                  // QString: the English reference, empty if unknown
        OriginRole,                     // int: Origin
    };

    struct Sentence {
        QString source;
        QString reference;
        Origin origin = Origin::User;
    };

    explicit DemoSentenceModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    const Sentence& sentence(int row) const { return m_sentences.at(row); }
    // Row of the sentence with this German text, or -1.
    int find(const QString& source) const;

    // Adds a sentence (trimmed) and returns its row. A sentence already in the list is not added
    // twice: its row is returned and a newly given reference replaces a missing one. Returns -1
    // for an empty sentence.
    int addSentence(const QString& source, const QString& reference, Origin origin);
    // Adds every pair of a corpus; returns how many rows are new.
    int addCorpus(const moewb::ParallelCorpus& corpus, Origin origin);

    // Reads the built-in demo set (core loadDemoSet) and adds it. Returns false and sets *error
    // (what is wrong and what to do) when it cannot be read.
    bool loadBuiltInDemoSet(QString* error);

private:
    QVector<Sentence> m_sentences;
    QHash<QString, int> m_rows;  // German text -> row (files can hold many thousand lines)
};

}  // namespace moewb::gui
