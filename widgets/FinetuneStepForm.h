#pragma once
// The options of the project panel's Fine-tune step: the partition, K (default N / 4), an
// optional mixed K, the time budget, the loss weights, the BLEU checks, the training data (the
// Ding sentences or a pair of parallel files), the model name and Resume, which is offered only
// when the name has a checkpoint. It only collects choices; FinetuneSession runs them.

#include "FinetuneSession.h"

#include <QDateTime>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace moewb::gui {

class ProjectSession;

class FinetuneStepForm : public QWidget {
    Q_OBJECT

public:
    explicit FinetuneStepForm(ProjectSession* session, QWidget* parent = nullptr);

    // The step's options as chosen.
    FinetuneSession::StepOptions stepOptions() const;
    // Expected duration in seconds: what is left of the time budget (a resumed run has used some
    // of it) plus about a minute for loading, the last check and the router.
    double estimatedSeconds() const;
    // Re-reads the project: its partitions, and whether the model name has a checkpoint.
    void refresh();
    // Trains on these line-aligned files (German, English); empty paths: the Ding sentences.
    void setParallelFiles(const QString& source, const QString& target);

    QComboBox* partitionBox() const { return m_partition; }
    QSpinBox* kBox() const { return m_k; }
    QLineEdit* mixedKEdit() const { return m_mixedK; }
    QSpinBox* budgetBox() const { return m_budget; }
    QDoubleSpinBox* kdWeightBox() const { return m_kd; }
    QDoubleSpinBox* ceWeightBox() const { return m_ce; }
    QDoubleSpinBox* mseWeightBox() const { return m_mse; }
    QComboBox* routingBox() const { return m_routing; }
    QSpinBox* checkEveryBox() const { return m_checkEvery; }
    QComboBox* dataBox() const { return m_data; }
    QLineEdit* nameEdit() const { return m_name; }
    QCheckBox* resumeBox() const { return m_resume; }

Q_SIGNALS:
    // An option the estimate depends on changed.
    void changed();

private:
    void chooseParallelFiles();
    void followPartition();  // K range and default, name placeholder, Resume
    void refreshResume();
    QString checkpointDir() const;

    ProjectSession* m_session;
    QComboBox* m_partition = nullptr;
    QSpinBox* m_k = nullptr;
    QLineEdit* m_mixedK = nullptr;
    QSpinBox* m_budget = nullptr;
    QDoubleSpinBox* m_kd = nullptr;
    QDoubleSpinBox* m_ce = nullptr;
    QDoubleSpinBox* m_mse = nullptr;
    QComboBox* m_routing = nullptr;
    QSpinBox* m_checkEvery = nullptr;
    QComboBox* m_data = nullptr;
    QLineEdit* m_name = nullptr;
    QCheckBox* m_resume = nullptr;
    int m_dataIndex = 0;             // the data choice to go back to when a dialog is cancelled
    bool m_hadCheckpoint = false;    // Resume is ticked when a checkpoint appears
    double m_checkpointSeconds = 0;  // training time already in the checkpoint
    QString m_checkpointRead;        // state.json path + time of the last read
};

}  // namespace moewb::gui
