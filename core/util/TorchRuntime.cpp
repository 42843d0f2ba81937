#include "moewb/util/TorchRuntime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

namespace moewb {

void configureTorchThreads(int threads) {
    if (threads <= 0) {
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    torch::set_num_threads(threads);
}

namespace {

// The BLAS in use is whatever libblas.so.3 the Debian alternatives point at; /proc/self/maps
// shows the real file after the product has run.
std::string mappedBlasLibrary() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    std::string fallback;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) {
            continue;
        }
        const std::string path = line.substr(slash);
        if (path.find("openblas") != std::string::npos) {
            return path;
        }
        if (fallback.empty() &&
            (path.find("libblas") != std::string::npos || path.find("blis") != std::string::npos ||
             path.find("atlas") != std::string::npos)) {
            fallback = path;
        }
    }
    return fallback;
}

}  // namespace

BlasReport measureBlas(int matrixSize) {
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    const auto a = torch::randn({matrixSize, matrixSize});
    const auto b = torch::randn({matrixSize, matrixSize});
    auto c = torch::mm(a, b);  // warm-up: maps the BLAS and starts its threads
    double best = 1e30;
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        c = torch::mm(a, b);
        const auto stop = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double, std::milli>(stop - start).count());
    }
    BlasReport report;
    report.library = mappedBlasLibrary();
    report.isOpenBlas = report.library.find("openblas") != std::string::npos;
    report.threads = torch::get_num_threads();
    report.matrixSize = matrixSize;
    report.milliseconds = best;
    report.gflops = 2.0 * matrixSize * double(matrixSize) * matrixSize / (best * 1e6);
    return report;
}

}  // namespace moewb
