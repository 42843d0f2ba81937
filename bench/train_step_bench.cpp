// Times the pieces of one training step of the default-size Transformer (forward, loss,
// backward, optimizer) on a synthetic batch of ~3000 tokens, to see where training time goes.
#include "moewb/nmt/Transformer.h"
#include "moewb/util/TorchRuntime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>

using namespace moewb;

int main(int argc, char** argv) {
    configureTorchThreads(0);
    const int rows = argc > 1 ? std::atoi(argv[1]) : 100;
    const int length = argc > 2 ? std::atoi(argv[2]) : 15;
    TransformerConfig config;
    Transformer model(config);
    model->train();
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-4));
    auto src = torch::randint(4, config.vocabSize, {rows, length}, torch::kLong);
    auto tgt = torch::randint(4, config.vocabSize, {rows, length}, torch::kLong);
    using Clock = std::chrono::steady_clock;
    auto ms = [](Clock::time_point a) {
        return std::chrono::duration<double, std::milli>(Clock::now() - a).count();
    };
    double tf = 0, tl = 0, tb = 0, to = 0;
    const int reps = 6;
    const bool vary = argc > 3 && argv[3][0] == 'v';
    const bool clip = argc > 4 && argv[4][0] == 'c';
    for (int i = 0; i < reps + 1; ++i) {
        if (vary) {
            const int len = length - 3 + (i * 5) % 7;
            src = torch::randint(4, config.vocabSize, {rows * length / len, len}, torch::kLong);
            tgt = torch::randint(4, config.vocabSize, {rows * length / len, len + 1}, torch::kLong);
        }
        auto t0 = Clock::now();
        auto logits = model->forward(src, tgt);
        const double f = ms(t0);
        t0 = Clock::now();
        auto loss = torch::nn::functional::cross_entropy(
            logits.view({-1, config.vocabSize}), tgt.view({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(0.1).ignore_index(0));
        const double l = ms(t0);
        t0 = Clock::now();
        optimizer.zero_grad();
        loss.backward();
        if (clip) {
            torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
        }
        const double b = ms(t0);
        t0 = Clock::now();
        optimizer.step();
        const double o = ms(t0);
        if (i > 0) {
            tf += f;
            tl += l;
            tb += b;
            to += o;
        }
    }
    const double total = (tf + tl + tb + to) / reps;
    std::printf(
        "rows %d length %d: forward %.0f ms, loss %.0f ms, backward %.0f ms, adam %.0f ms; "
        "%.0f tokens/s\n",
        rows, length, tf / reps, tl / reps, tb / reps, to / reps,
        2.0 * rows * length / (total / 1000.0));
}
