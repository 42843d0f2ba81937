#pragma once
// Single-threaded float kernels on raw row-major memory for the products of decoding, where a
// feed-forward or attention projection sees 1 to a few dozen rows and LibTorch's per-op dispatch
// costs more than the arithmetic (docs/algorithms.md, "Decode-size kernels"). Each entry point
// picks its instruction set once per process from the CPU (AVX-512, AVX2 + FMA, or portable C++),
// so one binary runs on any x86-64 and uses the widest units it finds.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace moewb::kernels {

// An IEEE 754 binary16 value, as its bits. Weights stored this way are widened to float exactly
// as they are loaded, so a kernel on float16 weights computes bit for bit what it computes on
// the same values in float32, reading half the bytes (decoding one sentence is bound by the
// bytes of weights it streams).
using Half = uint16_t;

enum class Isa {
    Generic,  // portable C++ (the compiler's baseline vectorisation)
    Avx2,     // AVX2 + FMA, 8 floats per register
    Avx512,   // AVX-512F, 16 floats per register
};

// The instruction set the kernels use in this process: the widest the CPU supports, or the one
// named by the environment variable MOEWB_KERNEL_ISA (generic, avx2, avx512) when the CPU has it.
Isa activeIsa();
// Every instruction set this CPU can run (Generic first); tests compare them with each other.
bool isaSupported(Isa isa);
std::string isaName(Isa isa);
// Overrides the choice for this process (tests and benchmarks); throws std::invalid_argument when
// the CPU lacks it.
void setIsa(Isa isa);

// y[r][o] = Σ_i x[r][i]·w[o][i] + b[o] for r < rows, o < outputs (b may be null), then
// max(0, ·) when `relu`. x has row stride ldx, w is [outputs, inputs] contiguous, y row stride ldy.
void linearRows(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const float* w,
                const float* b, int64_t outputs, float* y, int64_t ldy, bool relu);
void linearRows(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const Half* w,
                const float* b, int64_t outputs, float* y, int64_t ldy, bool relu);

// linearRows on LibTorch's intra-op threads, the outputs split between them, once the product
// has at least parallelWork() multiply-adds (below that, waking a thread costs more than it
// saves; measured with bench/decode_step_bench). Called from inside a parallel region it runs on
// the calling thread alone.
void linearRowsThreaded(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const float* w,
                        const float* b, int64_t outputs, float* y, int64_t ldy, bool relu);
void linearRowsThreaded(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const Half* w,
                        const float* b, int64_t outputs, float* y, int64_t ldy, bool relu);
int64_t parallelWork();

// Runs work(begin, end) over [0, rows) split between LibTorch's intra-op threads when rows·cost
// reaches parallelWork(), else on the calling thread. `cost` is the multiply-adds per row.
void forRowBlocks(int64_t rows, int64_t cost, const std::function<void(int64_t, int64_t)>& work);

// y[r][o] += Σ_j h[r][j]·wt[j][o], skipping the zero entries of h (after a ReLU most are zero,
// so this reads only the rows of wt that matter). h has row stride ldh, wt is [inner, outputs]
// contiguous, y row stride ldy.
void addProducts(const float* h, int64_t rows, int64_t inner, int64_t ldh, const float* wt,
                 int64_t outputs, float* y, int64_t ldy);
void addProducts(const float* h, int64_t rows, int64_t inner, int64_t ldh, const Half* wt,
                 int64_t outputs, float* y, int64_t ldy);

// Weights as float16 when every value is exactly one (a model loaded from a float16 file), else
// an empty vector: the kernels may then read the copy instead of the float32 original.
std::vector<Half> exactHalfCopy(const float* values, int64_t count);

}  // namespace moewb::kernels
