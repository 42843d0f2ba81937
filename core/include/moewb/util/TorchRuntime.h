#pragma once
// LibTorch process set-up and self-checks. Debian's LibTorch sees one core and defaults to one
// intra-op thread, and its matrix products crawl without a fast BLAS; see toolchain notes.

#include <string>

namespace moewb {

// Sets LibTorch's intra-op threads to `threads` (0 = all available cores). Call once at start.
void configureTorchThreads(int threads = 0);

struct BlasReport {
    std::string library;      // path of the BLAS shared object mapped into the process
    bool isOpenBlas = false;  // whether it is OpenBLAS
    int threads = 0;          // LibTorch intra-op threads
    int matrixSize = 0;       // n of the timed n×n float matrix product
    double milliseconds = 0;  // best-of-5 time of one product
    double gflops = 0;        // 2n³ / time
};

// Multiplies two n×n float matrices (after a warm-up) and reports which BLAS did it.
BlasReport measureBlas(int matrixSize = 1024);

}  // namespace moewb
