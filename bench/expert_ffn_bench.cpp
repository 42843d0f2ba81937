// One FFN layer, dense vs MoE (only K of N experts computed), measured in one run at the sizes
// decoding feeds an FFN (1 to 32 tokens per call) and beyond (64 … 512, the encoder's sizes):
//   torch dense   the LibTorch product (two threads, OpenBLAS)
//   kernel dense  the same FFN through the decode-size kernels (FfnKernels.h, one thread)
//   moe kernel    K experts per token through the kernels, experts given (no router)
//   moe dispatch  K experts per token through LibTorch's per-expert dispatch
//   moe+router    MoeLayer::compute: MLP router, top-K and the experts in one call (Auto path)
// The dense baseline of each ratio is the faster dense path at that size. The machine is a
// shared VM whose speed drifts by up to 1.6x within seconds, so all variants are timed in
// alternating rounds (A B C … A B C …) and each ratio is the median of the per-round ratios, with
// the spread (lowest and highest round) beside it. Writes a CSV.
//
// usage: expert_ffn_bench [--csv expert_ffn_bench.csv] [--rounds 7] [--slice-ms 30] [--quick]
#include "BenchTiming.h"

#include "moewb/kernels/FfnKernels.h"
#include "moewb/moe/ExpertFfn.h"
#include "moewb/moe/MoeLayer.h"
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
#include <string>
#include <vector>

using namespace moewb;

namespace {

using bench::Spread;
using bench::spread;
using bench::timeIt;

}  // namespace

int main(int argc, char** argv) {
    std::string csvPath = "expert_ffn_bench.csv";
    int rounds = 7;
    double sliceMs = 30;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--csv") && i + 1 < argc)
            csvPath = argv[++i];
        else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--slice-ms") && i + 1 < argc)
            sliceMs = std::atof(argv[++i]);
        else if (!std::strcmp(argv[i], "--quick"))
            quick = true;
    }
    configureTorchThreads(0);
    torch::manual_seed(0);
    torch::InferenceMode inference;
    std::printf("kernels: %s; LibTorch threads: %d; %d alternating rounds of %.0f ms\n",
                kernels::isaName(kernels::activeIsa()).c_str(), torch::get_num_threads(), rounds,
                sliceMs);
    std::string csv =
        "d_model,d_ff,experts,k,tokens,torch_dense_ms,kernel_dense_ms,moe_kernel_ms,"
        "moe_dispatch_ms,moe_router_ms,ratio,ratio_low,ratio_high,ratio_router,"
        "ratio_router_low,ratio_router_high,ideal\n";
    std::printf("%5s %5s %3s %3s %6s %9s %9s %9s %9s %9s  %-20s %-20s %5s\n", "d", "d_ff", "N", "K",
                "tokens", "torch ms", "kernel", "moe krn", "moe disp", "moe+rtr",
                "dense/MoE (spread)", "with router", "N/K");
    struct Shape {
        int d, dFf, n;
    };
    std::vector<Shape> shapes = {{256, 1024, 16}, {512, 2048, 16}, {512, 2048, 32}};
    std::vector<int> tokenCounts = {1, 8, 32, 64, 128, 256, 512};
    if (quick) {
        shapes.resize(1);
        tokenCounts = {1, 8, 32};
    }
    for (const auto& shape : shapes) {
        FeedForwardImpl ffn(shape.d, shape.dFf);
        {
            // A trained FFN is sparse after its ReLU (75-90 % zeros in the shipped model); a
            // negative first bias gives the random layer a comparable 80 %, so the kernels'
            // skipping of zero activations is measured as decoding meets it, for dense and MoE
            // alike.
            torch::NoGradGuard noGrad;
            ffn.b1.fill_(-0.9f * std::sqrt(2.0f / (shape.d + shape.dFf)) * std::sqrt(shape.d));
            // Float16 values, as the shipped model stores them: the kernels read exact float16
            // copies (dense and MoE alike), LibTorch the float32 tensors.
            for (auto* w : {&ffn.w1, &ffn.b1, &ffn.w2, &ffn.b2}) {
                w->copy_(w->to(torch::kHalf).to(torch::kFloat));
            }
        }
        std::vector<int> order(static_cast<std::size_t>(shape.dFf));
        std::iota(order.begin(), order.end(), 0);
        auto experts = std::make_shared<const ExpertFfn>(ffn, order, shape.n);
        auto router = std::make_shared<const MlpRouter>(*experts);
        const int k = shape.n / 4;
        const MoeLayer layer(experts, router, k);
        for (int tokens : tokenCounts) {
            const auto x = torch::randn({tokens, shape.d});
            const auto selected = topExperts(torch::rand({tokens, shape.n}), k);
            // The kernel is timed at every size (explicitly), to find where it stops winning;
            // above kernelMaxTokens() its dense FFN is all N experts through the same kernel.
            const bool kernelFits = true;
            const auto all =
                torch::arange(shape.n).unsqueeze(0).expand({tokens, shape.n}).contiguous();
            const bool small = tokens <= ExpertFfn::kernelMaxTokens();
            std::vector<double> torchDense, kernelDense, moeKernel, moeDispatch, moeRouter;
            std::vector<double> ratio, ratioRouter;
            for (int round = 0; round < rounds; ++round) {
                torchDense.push_back(timeIt([&] { ffn.dense(x); }, sliceMs));
                if (kernelFits) {
                    kernelDense.push_back(timeIt(
                        [&] {
                            small ? experts->dense(x)
                                  : experts->forward(x, all, ExpertFfn::Strategy::Kernel);
                        },
                        sliceMs));
                    moeKernel.push_back(
                        timeIt([&] { experts->forward(x, selected, ExpertFfn::Strategy::Kernel); },
                               sliceMs));
                }
                moeDispatch.push_back(
                    timeIt([&] { experts->forward(x, selected, ExpertFfn::Strategy::Dispatch); },
                           sliceMs));
                moeRouter.push_back(timeIt([&] { layer.compute(x, torch::Tensor(), k); }, sliceMs));
                const double dense = kernelFits ? std::min(torchDense.back(), kernelDense.back())
                                                : torchDense.back();
                const double moe = kernelFits ? std::min(moeKernel.back(), moeDispatch.back())
                                              : moeDispatch.back();
                ratio.push_back(dense / moe);
                ratioRouter.push_back(dense / moeRouter.back());
            }
            const auto med = [](const std::vector<double>& v) {
                return v.empty() ? NAN : spread(v).median;
            };
            const Spread r = spread(ratio), rr = spread(ratioRouter);
            char a[32], b[32];
            std::snprintf(a, sizeof a, "%.2fx (%.2f-%.2f)", r.median, r.low, r.high);
            std::snprintf(b, sizeof b, "%.2fx (%.2f-%.2f)", rr.median, rr.low, rr.high);
            std::printf("%5d %5d %3d %3d %6d %9.4f %9.4f %9.4f %9.4f %9.4f  %-20s %-20s %5.1f\n",
                        shape.d, shape.dFf, shape.n, k, tokens, med(torchDense), med(kernelDense),
                        med(moeKernel), med(moeDispatch), med(moeRouter), a, b,
                        double(shape.n) / k);
            std::fflush(stdout);
            char line[320];
            std::snprintf(line, sizeof line,
                          "%d,%d,%d,%d,%d,%.5f,%.5f,%.5f,%.5f,%.5f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,"
                          "%.1f\n",
                          shape.d, shape.dFf, shape.n, k, tokens, med(torchDense), med(kernelDense),
                          med(moeKernel), med(moeDispatch), med(moeRouter), r.median, r.low, r.high,
                          rr.median, rr.low, rr.high, double(shape.n) / k);
            csv += line;
        }
    }
    writeFileAtomic(csvPath, csv);
    std::printf("wrote %s\n", csvPath.c_str());
    return 0;
}
