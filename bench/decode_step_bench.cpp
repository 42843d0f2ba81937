// The decoding step at the sizes decoding runs (1 to 32 rows), measured in one run:
//  1. one projection y = x·Wᵀ + b: the single-thread kernel (FfnKernels.h) against LibTorch's
//     product (two threads, OpenBLAS), for the shapes of the shipped model's step — the
//     measurement behind StepDecoder::linear() always using the kernels;
//  2. the whole step on the shipped model: StepDecoder::step against TransformerImpl::decodeStep
//     (the LibTorch reference), rows 1, 8 and 32.
// Variants are timed in alternating rounds; each ratio is the median of per-round ratios with the
// lowest and highest round beside it. Writes a CSV.
//
// usage: decode_step_bench [--csv decode_step_bench.csv] [--rounds 7] [--slice-ms 30]
#include "BenchTiming.h"

#include "moewb/kernels/FfnKernels.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/nmt/StepDecoder.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace moewb;

namespace {

using bench::Spread;
using bench::spread;
using bench::timeIt;

// Times a (reference) and b alternately; returns the medians in ms and the ratio a/b.
std::pair<std::pair<double, double>, Spread> compare(const std::function<void()>& a,
                                                     const std::function<void()>& b, int rounds,
                                                     double sliceMs) {
    a();
    b();
    std::vector<double> ta, tb, ratio;
    for (int r = 0; r < rounds; ++r) {
        ta.push_back(timeIt(a, sliceMs));
        tb.push_back(timeIt(b, sliceMs));
        ratio.push_back(ta.back() / tb.back());
    }
    return {{spread(ta).median, spread(tb).median}, spread(ratio)};
}

}  // namespace

int main(int argc, char** argv) {
    std::string csvPath = "decode_step_bench.csv";
    int rounds = 7;
    double sliceMs = 30;
    bool stepsOnly = false;  // --steps-only: skip part 1 (for profiling the step)
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--steps-only")) {
            stepsOnly = true;
            continue;
        }
        if (i + 1 >= argc)
            break;
        if (!std::strcmp(argv[i], "--csv"))
            csvPath = argv[++i];
        else if (!std::strcmp(argv[i], "--rounds"))
            rounds = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--slice-ms"))
            sliceMs = std::atof(argv[++i]);
    }
    configureTorchThreads(0);
    torch::InferenceMode inference;
    std::printf("kernels: %s; LibTorch threads: %d\n",
                kernels::isaName(kernels::activeIsa()).c_str(), torch::get_num_threads());
    std::string csv = "part,shape,rows,reference_ms,fast_ms,ratio,ratio_low,ratio_high\n";
    auto record = [&](const char* part, const std::string& shape, int rows, const auto& result) {
        const auto& [ms, r] = result;
        std::printf(
            "%-10s %-14s %4d rows  torch %8.4f ms  fast %8.4f ms  torch/fast %.2fx "
            "(%.2f-%.2f)\n",
            part, shape.c_str(), rows, ms.first, ms.second, r.median, r.low, r.high);
        std::fflush(stdout);
        char line[200];
        std::snprintf(line, sizeof line, "%s,%s,%d,%.5f,%.5f,%.3f,%.3f,%.3f\n", part, shape.c_str(),
                      rows, ms.first, ms.second, r.median, r.low, r.high);
        csv += line;
    };
    using Shape = std::pair<int, int>;
    const std::vector<Shape> shapes = {
        {256, 768}, {256, 256}, {256, 1024}, {1024, 256}, {256, 8000}};
    for (auto [in, out] : stepsOnly ? std::vector<Shape>{} : shapes) {
        const auto w = torch::randn({out, in});
        const auto b = torch::randn({out});
        for (int rows : {1, 2, 4, 8, 16, 32}) {
            const auto x = torch::randn({rows, in});
            auto y = torch::empty({rows, out});
            const auto result = compare(
                [&] { torch::addmm_out(y, b, x, w.t()); },
                [&] {
                    kernels::linearRows(x.data_ptr<float>(), rows, in, in, w.data_ptr<float>(),
                                        b.data_ptr<float>(), out, y.data_ptr<float>(), out, false);
                },
                rounds, sliceMs);
            record("linear", std::to_string(in) + "x" + std::to_string(out), rows, result);
        }
    }
    const auto model = NmtModel::load(NmtModel::defaultModelPath());
    auto& t = *model->transformer();
    for (int rows : stepsOnly ? std::vector<int>{1} : std::vector<int>{1, 8, 32}) {
        const auto src = torch::randint(4, t.config().vocabSize, {rows, 12}, torch::kLong);
        const auto mask = t.sourceMask(src);
        const auto memory = t.encode(src, mask);
        const auto tokens = torch::randint(4, t.config().vocabSize, {rows}, torch::kLong);
        // Each timed call decodes 12 steps from a fresh state: the mean step of a short sentence.
        const auto result = compare(
            [&] {
                auto cache = t.startDecoding(memory, mask);
                for (int s = 0; s < 12; ++s) {
                    t.decodeStep(tokens, cache);
                }
            },
            [&] {
                StepDecoder decoder(t, memory, mask, 12);
                for (int s = 0; s < 12; ++s) {
                    decoder.step(tokens);
                }
            },
            rounds, sliceMs * 3);
        record("12 steps", "shipped model", rows, result);
        // The same with one thread: what the kernels do alone, and what a busy second core costs.
        const int threads = torch::get_num_threads();
        const auto single = compare(
            [&] {
                StepDecoder decoder(t, memory, mask, 12);
                for (int s = 0; s < 12; ++s) {
                    decoder.step(tokens);
                }
            },
            [&] {
                torch::set_num_threads(1);
                StepDecoder decoder(t, memory, mask, 12);
                for (int s = 0; s < 12; ++s) {
                    decoder.step(tokens);
                }
                torch::set_num_threads(threads);
            },
            rounds, sliceMs * 3);
        record("1 thread", "vs 2 threads", rows, single);
    }
    writeFileAtomic(csvPath, csv);
    std::printf("wrote %s\n", csvPath.c_str());
    return 0;
}
