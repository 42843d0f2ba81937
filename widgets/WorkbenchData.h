#pragma once
// What the views share: immutable snapshots of a project's model and artifacts. ProjectSession
// loads them and hands them to the views as shared_ptr<const …>, so a view keeps drawing what it
// has while a job computes a replacement, and a cancelled or failed job changes nothing.

#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/Profiler.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/moe/Sweep.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/project/ArtifactFiles.h"

#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace moewb::gui {

// The loaded translation model, shared by every job that runs it (translator, sweeps, profiles,
// router inputs) at the same time and never locked: what a job runs instead of the dense FFNs is a
// plan passed with its calls, and nothing modifies the loaded model (docs/moe-quality.md,
// "The MoE plan is a value").
struct ModelHandle {
    std::shared_ptr<moewb::NmtModel> model;
    QString path;  // the model file
    bool isValid() const { return model != nullptr; }
};

using ProfileHandle = std::shared_ptr<const moewb::ProfileResult>;

// A saved partition (partitions/<name>.json) with the expert blocks built from the model.
struct PartitionEntry {
    QString name;
    std::shared_ptr<const moewb::PartitionSet> set;
    std::vector<std::shared_ptr<moewb::ExpertFfn>> experts;  // one per FFN layer
};

// The layer of `set` that splits the profile layer `profileLayer` (at `position` in the profile):
// matched by layer name, or by position in sets without names; null when it does not fit (another
// d_ff, or no experts).
inline const moewb::ExpertPartition* partitionLayerOf(const moewb::PartitionSet& set,
                                                      const moewb::LayerProfile& profileLayer,
                                                      int position) {
    int index = position;
    for (std::size_t l = 0; l < set.layerNames.size(); ++l) {
        if (set.layerNames[l] == profileLayer.name) {
            index = int(l);
            break;
        }
    }
    if (index < 0 || index >= int(set.layers.size()) ||
        set.layers[std::size_t(index)].neuronCount() != profileLayer.dFf ||
        set.layers[std::size_t(index)].numExperts < 1) {
        return nullptr;
    }
    return &set.layers[std::size_t(index)];
}

// A saved router set (routers/<name>.json); `partition` names the PartitionEntry it routes over.
// Routers trained on a fine-tuned model (RouterSet::model) come with that model and the experts
// built from its weights (docs/moe-quality.md, "Fine-tuning with distillation"): the partition's
// experts hold the dense weights, which the fine-tuned model no longer has.
struct RouterEntry {
    QString name;
    QString partition;
    std::shared_ptr<const moewb::RouterSet> set;
    QString model;           // the fine-tuned model (models/<model>.moewb); empty = the project's
    ModelHandle tunedModel;  // that model, loaded; invalid for the project's own model
    std::vector<std::shared_ptr<moewb::ExpertFfn>> experts;  // its experts; empty = partition's
    bool isTuned() const { return tunedModel.isValid(); }
};

// A saved sweep (sweeps/<name>.json).
struct SweepEntry {
    QString name;
    std::shared_ptr<const moewb::SweepResult> result;
};

// A saved classic comparison table (time and BLEU for dense and K = 1, 2, 4, 8 over 10…30
// sentences).
struct ComparisonEntry {
    QString name;
    std::shared_ptr<const moewb::ComparisonTable> table;
};

}  // namespace moewb::gui
