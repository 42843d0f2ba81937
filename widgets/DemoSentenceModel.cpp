#include "DemoSentenceModel.h"

#include "moewb/corpus/DemoSet.h"

#include <exception>

namespace moewb::gui {

DemoSentenceModel::DemoSentenceModel(QObject* parent) : QAbstractListModel(parent) {}

int DemoSentenceModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_sentences.size());
}

QVariant DemoSentenceModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Sentence& s = m_sentences.at(index.row());
    switch (role) {
        case Qt::DisplayRole:
        case SourceRole:
            return s.source;
        case ReferenceRole:
            return s.reference;
        case OriginRole:
            return static_cast<int>(s.origin);
        case Qt::ToolTipRole: {
            QString origin;
            switch (s.origin) {
                case Origin::Demo:
                    origin = tr("Built-in demo sentence");
                    break;
                case Origin::User:
                    origin = tr("Added by you");
                    break;
                case Origin::File:
                    origin = tr("Read from a parallel file");
                    break;
            }
            const QString reference =
                s.reference.isEmpty() ? tr("no reference (BLEU is not shown)") : s.reference;
            return tr("%1\nReference: %2").arg(origin, reference);
        }
        default:
            return {};
    }
}

QHash<int, QByteArray> DemoSentenceModel::roleNames() const {
    auto names = QAbstractListModel::roleNames();
    names.insert(SourceRole, "source");
    names.insert(ReferenceRole, "reference");
    names.insert(OriginRole, "origin");
    return names;
}

int DemoSentenceModel::find(const QString& source) const {
    return m_rows.value(source, -1);
}

int DemoSentenceModel::addSentence(const QString& source, const QString& reference, Origin origin) {
    const QString text = source.simplified();
    const QString ref = reference.simplified();
    if (text.isEmpty()) {
        return -1;
    }
    const int existing = find(text);
    if (existing >= 0) {
        if (m_sentences[existing].reference.isEmpty() && !ref.isEmpty()) {
            m_sentences[existing].reference = ref;
            const QModelIndex changed = index(existing);
            Q_EMIT dataChanged(changed, changed, {Qt::ToolTipRole, ReferenceRole});
        }
        return existing;
    }
    const int row = static_cast<int>(m_sentences.size());
    beginInsertRows(QModelIndex(), row, row);
    m_sentences.push_back({text, ref, origin});
    m_rows.insert(text, row);
    endInsertRows();
    return row;
}

int DemoSentenceModel::addCorpus(const moewb::ParallelCorpus& corpus, Origin origin) {
    // One insertion for the whole corpus: a view would otherwise relayout per row.
    QVector<Sentence> fresh;
    QHash<QString, int> freshRows;
    const int first = static_cast<int>(m_sentences.size());
    for (const auto& pair : corpus.pairs) {
        const QString source = QString::fromStdString(pair.source).simplified();
        if (source.isEmpty() || find(source) >= 0 || freshRows.contains(source)) {
            continue;
        }
        freshRows.insert(source, first + static_cast<int>(fresh.size()));
        fresh.push_back({source, QString::fromStdString(pair.target).simplified(), origin});
    }
    if (fresh.isEmpty()) {
        return 0;
    }
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(fresh.size()) - 1);
    m_sentences += fresh;
    m_rows.insert(freshRows);
    endInsertRows();
    return static_cast<int>(fresh.size());
}

bool DemoSentenceModel::loadBuiltInDemoSet(QString* error) {
    try {
        addCorpus(moewb::loadDemoSet(), Origin::Demo);
        return true;
    } catch (const std::exception& e) {
        if (error) {
            *error = tr("The built-in demo sentences could not be read: %1")
                         .arg(QString::fromUtf8(e.what()));
        }
        return false;
    }
}

}  // namespace moewb::gui
