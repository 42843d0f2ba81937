#pragma once
// Small real results for the gate-accuracy and sweep view tests: routers trained on the FFN
// inputs of the tiny test model, and real sweeps / comparison tables over a few sentences.

#include "FigureExporter.h"
#include "WorkbenchData.h"
#include "core/NmtTestSupport.h"

#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/moe/Sweep.h"

#include <QImage>
#include <QSet>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace moewb::test {

using namespace moewb::gui;

struct TinyMoe {
    std::shared_ptr<NmtModel> model;
    std::vector<std::shared_ptr<ExpertFfn>> experts;
    std::vector<torch::Tensor> inputs;
    std::vector<std::string> layerNames;
};

// `model` split into `experts` experts per FFN layer with k-means, with the FFN inputs of the
// sixteen test pairs.
inline TinyMoe kMeansMoe(std::shared_ptr<NmtModel> model, int experts) {
    torch::set_num_threads(2);
    TinyMoe moe;
    moe.model = std::move(model);
    moe.model->transformer()->eval();
    Feedback feedback;
    ModelPartitionOptions partition;
    partition.method = "kmeans";
    partition.numExperts = experts;
    const auto set = partitionModel(*moe.model, nullptr, partition, feedback);
    moe.layerNames = set.layerNames;
    moe.experts = buildExperts(*moe.model, set);
    moe.inputs = collectFfnInputs(*moe.model, sixteenPairs(), 100000, feedback);
    return moe;
}

// The tiny model split into `experts` experts per FFN layer (4 layers) with k-means.
inline TinyMoe tinyMoe(int experts) {
    return kMeansMoe(tinyModel(), experts);
}

// The shipped default model split into `experts` k-means experts per FFN layer (6 layers). Its
// translations of the test pairs score well above BLEU 0, so sweeps over it give every K its
// own BLEU (the tiny untrained model scores 0 everywhere: a transposed or shifted BLEU would
// pass any check on it).
inline TinyMoe defaultModelMoe(int experts) {
    return kMeansMoe(NmtModel::load(NmtModel::defaultModelPath()), experts);
}

inline RouterEntry routerEntry(const TinyMoe& moe, const char* kind, const char* name) {
    Feedback feedback;
    RouterTrainingOptions options;
    options.kind = kind;
    options.mlp.epochs = 3;
    auto set = trainRouters(moe.experts, moe.inputs, options, feedback);
    set.partition = "kmeans";
    return {name, "kmeans", std::make_shared<const RouterSet>(std::move(set))};
}

// Two interleaved rounds: enough for a spread, quick enough for a test.
inline InterleavedTimingOptions quickTiming() {
    InterleavedTimingOptions timing;
    timing.minRounds = 2;
    timing.maxRounds = 2;
    return timing;
}

inline ParallelCorpus firstPairs(int count) {
    ParallelCorpus corpus;
    const auto pairs = sixteenPairs();
    corpus.pairs.assign(pairs.begin(), pairs.begin() + count);
    return corpus;
}

// A real sweep over the first `sentences` pairs; `grid` sweeps encoder K {1, N} × decoder K
// {2, N}, else K = 1, 2, 4, … N; plus one dynamic-K row per threshold (at most N/2 experts).
inline SweepEntry sweepEntry(TinyMoe& moe, const RouterEntry& routers, const char* name, bool grid,
                             int sentences = 4, const std::vector<double>& thresholds = {}) {
    Feedback feedback;
    SweepOptions options;
    options.thresholds = thresholds;
    options.decoding.maxLength = 40;
    options.timing = quickTiming();
    if (grid) {
        const int n = moe.experts.front()->numExperts();
        options.grid = true;
        options.encoderKs = {1, n};
        options.decoderKs = {2, n};
    }
    auto result = runSweep(*moe.model, moe.experts, *routers.set, firstPairs(sentences), moe.inputs,
                           options, feedback);
    return {name, std::make_shared<const SweepResult>(std::move(result))};
}

inline ComparisonEntry comparisonEntry(TinyMoe& moe, const RouterEntry& routers, const char* name) {
    Feedback feedback;
    DecodeOptions decoding;
    decoding.maxLength = 40;
    auto table = runComparisonTable(*moe.model, moe.experts, *routers.set, firstPairs(6), {2, 4, 6},
                                    {1, 2}, decoding, feedback, quickTiming());
    return {name, std::make_shared<const ComparisonTable>(std::move(table))};
}

// Distinct colours on a coarse grid of the image: a blank or single-colour page has one.
inline int colourCount(const QImage& image) {
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) {
            colours.insert(image.pixel(x, y));
        }
    }
    return colours.size();
}

// Exports `figures` as 96-DPI PNGs into a temporary folder and reads them back; `error` gets
// what the exporter reported.
inline QList<QImage> exportedPngs(const QList<Figure>& figures, QString* error) {
    QTemporaryDir dir;
    FigureExportOptions options;
    options.dpi = 96;
    QList<QImage> images;
    for (const QString& file :
         FigureExporter::exportAll(figures, dir.path(), {"png"}, options, error)) {
        images << QImage(file);
    }
    return images;
}

}  // namespace moewb::test
