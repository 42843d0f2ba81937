#include "CliSupport.h"
#include "Commands.h"

#include "moewb/text/SentencePieceModel.h"
#include "moewb/util/TorchRuntime.h"

#include <cstdio>
#include <iostream>
#include <thread>

namespace moewb::cli {

int runSystemCommand(const std::vector<std::string>& argv) {
    const Arguments args(argv, {"threads", "size"}, {"help"});
    if (args.has("help")) {
        std::cout
            << "usage: moewb system [--threads N] [--size N]\n"
               "Shows LibTorch's threads, the BLAS library it uses, and the time of one\n"
               "N×N float matrix product (default 1024). Without OpenBLAS it crawls: install\n"
               "libopenblas0-pthread.\n";
        return 0;
    }
    requirePositional(args, "system", {});
    configureTorchThreads(threadsOption(args));
    const BlasReport report = measureBlas(args.intValue("size", 1024, 16, 8192));
    char line[256];
    std::cout << "cores            " << std::thread::hardware_concurrency() << "\n";
    std::cout << "torch threads    " << report.threads << "\n";
    std::cout << "BLAS library     " << (report.library.empty() ? "(none found)" : report.library)
              << "\n";
    std::snprintf(line, sizeof line, "matmul %dx%d   %.1f ms (%.1f GFLOP/s)\n", report.matrixSize,
                  report.matrixSize, report.milliseconds, report.gflops);
    std::cout << line;
    std::cout << "SentencePiece    " << SentencePieceModel::pluginPath() << "\n";
    if (!report.isOpenBlas) {
        std::cerr << "warning: LibTorch is not using OpenBLAS; matrix products will be ~8x slower. "
                     "Install it: sudo apt-get install libopenblas0-pthread\n";
        return 1;
    }
    return 0;
}

}  // namespace moewb::cli
