// How long the GUI thread stalls when the user switches layers in the co-activation heatmap and
// the expert graph (docs/architecture.md, "The views"): the shipped default model profiled on the
// demo set, a k-means partition of 16 experts, each view shown at 1200 × 900 on the offscreen
// platform. A switch is timed from setCurrentLayer() until the event loop is idle again (the
// queued replot included), over every layer in several rounds; views that prepare their data on a
// JobRunner worker are timed by their longest stretch of GUI-thread work.
//
//   view_switch_bench [--rounds 3] [--tokens 3000] [--csv view_switch_bench.csv]
#include "moewb/corpus/DemoSet.h"
#include "moewb/moe/ModelPartitioner.h"
#include "moewb/moe/Profiler.h"
#include "moewb/moe/RouterSet.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include "CoActivationHeatmap.h"
#include "ExpertGraphView.h"
#include "JobRunner.h"

#include <QApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace moewb::gui;

namespace {

struct Stall {
    std::vector<double> ms;
    double median() const {
        auto v = ms;
        std::sort(v.begin(), v.end());
        return v.empty()      ? 0
               : v.size() % 2 ? v[v.size() / 2]
                              : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    }
    double max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

// Every layer in turn, `rounds` times; the first visit of a view is its warm-up.
template <typename View>
Stall timeSwitches(View& view, int layers, int rounds) {
    Stall stall;
    view.setCurrentLayer(layers - 1);
    QApplication::processEvents();
    for (int round = 0; round < rounds; ++round) {
        for (int layer = 0; layer < layers; ++layer) {
            QElapsedTimer timer;
            timer.start();
            view.setCurrentLayer(layer);
            QApplication::processEvents();  // the queued replot and the paint
            stall.ms.push_back(timer.nsecsElapsed() / 1e6);
        }
    }
    return stall;
}

// The same with the maps prepared on a JobRunner worker: a switch then stalls the GUI thread
// for its longest single stretch of event handling (the switch itself, or putting the arrived
// maps on the plot and drawing them) until the view shows the new layer.
template <typename View>
Stall timeSwitchesOnAWorker(View& view, JobRunner& jobs, int layers, int rounds) {
    Stall stall;
    auto settle = [&] {
        double longest = 0;
        do {
            QElapsedTimer slice;
            slice.start();
            QApplication::processEvents();
            longest = std::max(longest, slice.nsecsElapsed() / 1e6);
        } while (view.isPreparing() || jobs.isBusy());
        QElapsedTimer slice;  // the queued replot after the maps arrived
        slice.start();
        QApplication::processEvents();
        return std::max(longest, slice.nsecsElapsed() / 1e6);
    };
    view.setCurrentLayer(layers - 1);
    settle();
    for (int round = 0; round < rounds; ++round) {
        for (int layer = 0; layer < layers; ++layer) {
            QElapsedTimer timer;
            timer.start();
            view.setCurrentLayer(layer);
            const double call = timer.nsecsElapsed() / 1e6;
            stall.ms.push_back(std::max(call, settle()));
        }
    }
    return stall;
}

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    int rounds = 3;
    int64_t tokens = 3000;
    std::string csvPath = "view_switch_bench.csv";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--rounds"))
            rounds = std::max(1, std::atoi(argv[i + 1]));
        if (!std::strcmp(argv[i], "--tokens"))
            tokens = std::max(1, std::atoi(argv[i + 1]));
        if (!std::strcmp(argv[i], "--csv"))
            csvPath = argv[i + 1];
    }
    moewb::configureTorchThreads(0);
    moewb::Feedback quiet;
    auto model = moewb::NmtModel::load(moewb::NmtModel::defaultModelPath());
    moewb::ProfileOptions profileOptions;
    profileOptions.tokenBudget = tokens;
    auto profile = std::make_shared<const moewb::ProfileResult>(
        moewb::profileModel(*model, moewb::loadDemoSet().pairs, profileOptions, quiet));
    moewb::ModelPartitionOptions partitionOptions;
    partitionOptions.method = "kmeans";
    auto set = std::make_shared<const moewb::PartitionSet>(
        moewb::partitionModel(*model, nullptr, partitionOptions, quiet));
    const QList<PartitionEntry> partitions = {
        PartitionEntry{QStringLiteral("kmeans"), set, moewb::buildExperts(*model, *set)}};
    const int layers = static_cast<int>(profile->layers.size());
    std::printf("default model: %d FFN layers of d_ff %d; k-means N = 16; profile of %lld tokens\n",
                layers, profile->layers[0].dFf,
                static_cast<long long>(profile->sourceTokens + profile->targetTokens));

    std::string csv = "view,switches,median_ms,max_ms\n";
    auto report = [&](const char* name, const Stall& stall) {
        std::printf("%-22s %3zu layer switches: median %.1f ms, max %.1f ms\n", name,
                    stall.ms.size(), stall.median(), stall.max());
        char line[128];
        std::snprintf(line, sizeof line, "%s,%zu,%.2f,%.2f\n", name, stall.ms.size(),
                      stall.median(), stall.max());
        csv += line;
    };
    // A view at poster size with the profile and the k-means partition, on a worker or not.
    auto setUp = [&](auto& view, JobRunner* jobs) {
        view.setJobRunner(jobs);
        view.resize(1200, 900);
        view.show();
        view.setProfile(profile);
        view.setPartitions(partitions);
        view.setCurrentPartition(QStringLiteral("kmeans"));
        QApplication::processEvents();
    };
    {
        CoActivationHeatmap heatmap;
        setUp(heatmap, nullptr);
        report("heatmap", timeSwitches(heatmap, layers, rounds));
        heatmap.setSideBySide(true);
        QApplication::processEvents();
        report("heatmap side by side", timeSwitches(heatmap, layers, rounds));
    }
    {
        JobRunner jobs;
        CoActivationHeatmap heatmap;
        setUp(heatmap, &jobs);
        report("heatmap on a worker", timeSwitchesOnAWorker(heatmap, jobs, layers, rounds));
        heatmap.setSideBySide(true);
        report("side by side on a worker", timeSwitchesOnAWorker(heatmap, jobs, layers, rounds));
    }
    {
        ExpertGraphView graph;
        setUp(graph, nullptr);
        report("expert graph", timeSwitches(graph, layers, rounds));
    }
    {
        JobRunner jobs;
        ExpertGraphView graph;
        setUp(graph, &jobs);
        report("expert graph on a worker", timeSwitchesOnAWorker(graph, jobs, layers, rounds));
        graph.setEdgeThreshold(0.0);  // every one of the N(N-1)/2 edges drawn
        report("graph all edges, worker", timeSwitchesOnAWorker(graph, jobs, layers, rounds));
    }
    moewb::writeFileAtomic(csvPath, csv);
    std::printf("wrote %s\n", csvPath.c_str());
    return 0;
}
