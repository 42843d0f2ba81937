// One FFN layer, dense vs MoE (only K of N experts computed), measured in one run:
// (d_model, d_ff) ∈ {(256, 1024), (512, 2048)}, N ∈ {16, 32}, tokens ∈ {1, 8, 64, 512},
// K ∈ {N/8, N/4, N/2}; ratio dense time / MoE time, without and with the MLP router's cost, for
// the gather and dispatch strategies and the automatic choice. Writes a CSV.
//
// The machine is a shared VM whose speed drifts by up to 1.6x over seconds, so dense and MoE are
// timed alternately in 5 rounds and each ratio is the median of the per-round ratios.
// Gather is timed only where it can win (at most 64 token x expert pairs; beyond that it was
// 10-100x slower than dispatch in every earlier run).
//
// usage: expert_ffn_bench [--csv expert_ffn_bench.csv] [--min-ms 200]
#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/Router.h"
#include "moewb/util/AtomicFile.h"
#include "moewb/util/TorchRuntime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <numeric>
#include <vector>

using namespace moewb;

namespace {

// Repeats `work` until `minMs` have passed; returns ms per call.
double timeIt(const std::function<void()>& work, double minMs) {
    work();  // warm-up
    int calls = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        work();
        ++calls;
        elapsed =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
    } while (elapsed < minMs);
    return elapsed / calls;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

constexpr int kRounds = 5;

}  // namespace

int main(int argc, char** argv) {
    std::string csvPath = "expert_ffn_bench.csv";
    double minMs = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--csv"))
            csvPath = argv[i + 1];
        if (!std::strcmp(argv[i], "--min-ms"))
            minMs = std::atof(argv[i + 1]);
    }
    configureTorchThreads(0);
    torch::manual_seed(0);
    torch::InferenceMode inference;
    std::string csv =
        "d_model,d_ff,experts,k,tokens,dense_ms,gather_ms,dispatch_ms,auto_ms,router_ms,"
        "ratio_auto,ratio_auto_with_router,ideal\n";
    std::printf("%6s %6s %3s %3s %6s %9s %9s %9s %9s %8s %8s %8s\n", "d", "d_ff", "N", "K",
                "tokens", "dense ms", "gather", "dispatch", "router", "ratio", "+router", "N/K");
    for (auto [d, dFf] : {std::pair<int, int>{256, 1024}, {512, 2048}}) {
        FeedForwardImpl ffn(d, dFf);
        for (int n : {16, 32}) {
            std::vector<int> order(static_cast<std::size_t>(dFf));
            std::iota(order.begin(), order.end(), 0);
            const ExpertFfn experts(ffn, order, n);
            const MlpRouter router(experts);
            for (int tokens : {1, 8, 64, 512}) {
                const auto x = torch::randn({tokens, d});
                for (int k : {n / 8, n / 4, n / 2}) {
                    const auto selected = topExperts(torch::rand({tokens, n}), k);
                    const bool tryGather = tokens * k <= 64;
                    const double slice = minMs / kRounds;
                    std::vector<double> dense, gather, dispatch, automatic, routing, ratio,
                        withRouter;
                    for (int round = 0; round < kRounds; ++round) {
                        dense.push_back(timeIt([&] { ffn.dense(x); }, slice));
                        routing.push_back(
                            timeIt([&] { topExperts(router.scores(x, experts), k); }, slice));
                        if (tryGather) {
                            gather.push_back(timeIt(
                                [&] { experts.forward(x, selected, ExpertFfn::Strategy::Gather); },
                                slice));
                        }
                        dispatch.push_back(timeIt(
                            [&] { experts.forward(x, selected, ExpertFfn::Strategy::Dispatch); },
                            slice));
                        automatic.push_back(timeIt([&] { experts.forward(x, selected); }, slice));
                        ratio.push_back(dense.back() / automatic.back());
                        withRouter.push_back(dense.back() / (automatic.back() + routing.back()));
                    }
                    const double gatherMs = tryGather ? median(gather) : NAN;
                    std::printf(
                        "%6d %6d %3d %3d %6d %9.3f %9.3f %9.3f %9.3f %7.2fx %7.2fx %7.1fx\n", d,
                        dFf, n, k, tokens, median(dense), gatherMs, median(dispatch),
                        median(routing), median(ratio), median(withRouter), double(n) / k);
                    std::fflush(stdout);
                    char line[256];
                    std::snprintf(line, sizeof line,
                                  "%d,%d,%d,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.1f\n", d,
                                  dFf, n, k, tokens, median(dense), gatherMs, median(dispatch),
                                  median(automatic), median(routing), median(ratio),
                                  median(withRouter), double(n) / k);
                    csv += line;
                }
            }
        }
    }
    writeFileAtomic(csvPath, csv);
    std::printf("wrote %s\n", csvPath.c_str());
    return 0;
}
