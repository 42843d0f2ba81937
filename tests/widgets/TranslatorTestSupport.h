#pragma once
// Real MoE artifacts for the translator tests: the tiny model of NmtTestSupport.h, a k-means (or
// random) partition of its FFN layers, and oracle and similarity routers trained on FFN inputs
// collected from the sixteen test pairs.

#include "core/NmtTestSupport.h"

#include "WorkbenchData.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/RouterSet.h"

#include <QList>
#include <QString>

#include <memory>

namespace moewb::test {

using namespace moewb::gui;

struct MoeArtifacts {
    ModelHandle model;
    QList<PartitionEntry> partitions;
    QList<RouterEntry> routers;
};

inline PartitionEntry makePartition(NmtModel& model, const std::string& method, int numExperts) {
    Feedback feedback;
    ModelPartitionOptions options;
    options.method = method;
    options.numExperts = numExperts;
    PartitionEntry entry;
    entry.name = QString::fromStdString(method);
    auto set = std::make_shared<PartitionSet>(partitionModel(model, nullptr, options, feedback));
    entry.experts = buildExperts(model, *set);
    entry.set = set;
    return entry;
}

// `methods` are partition methods; routers ("oracle", "similarity") are trained for the first.
inline MoeArtifacts makeMoeArtifacts(int numExperts = 8,
                                     const QStringList& methods = {QStringLiteral("kmeans")}) {
    MoeArtifacts a;
    a.model.model = tinyModel();
    a.model.path = QStringLiteral("tiny (test)");
    for (const QString& method : methods) {
        a.partitions << makePartition(*a.model.model, method.toStdString(), numExperts);
    }
    Feedback feedback;
    const auto inputs = collectFfnInputs(*a.model.model, sixteenPairs(), 100000, feedback);
    for (const char* kind : {"oracle", "similarity"}) {
        RouterTrainingOptions options;
        options.kind = kind;
        auto set = std::make_shared<RouterSet>(
            trainRouters(a.partitions.front().experts, inputs, options, feedback));
        set->partition = a.partitions.front().name.toStdString();
        a.routers << RouterEntry{a.partitions.front().name + "-" + kind, a.partitions.front().name,
                                 set};
    }
    return a;
}

}  // namespace moewb::test
