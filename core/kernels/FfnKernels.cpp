#include "moewb/kernels/FfnKernels.h"

// GCC 12's AVX-512 intrinsics fill unused lanes from _mm512_undefined_ps(), which its own
// -Wuninitialized flags inside the system header: a known false positive, silenced here only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // clang has no -Wmaybe-uninitialized (and no such false positive)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

// Three builds of each kernel live here side by side: portable C++, and AVX2 + FMA and AVX-512
// versions compiled through GCC's per-function target attributes. Attributes (rather than
// compiling a file twice with -mavx2) keep every function distinct, so the linker can never mix
// an AVX instantiation into the portable path, and the binary still starts on a plain x86-64.

namespace moewb::kernels {
namespace {

// ---- weight loads: float, or IEEE binary16 widened exactly to float ---------------------------

inline float toFloat(float v) {
    return v;
}

// binary16 -> binary32 by bit manipulation (exact; the portable path has no F16C).
inline float toFloat(Half h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1Fu) {
        bits = sign | 0x7F800000u | (mantissa << 13);  // inf / NaN
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;  // ±0
    } else {          // subnormal: normalise
        exponent = 113;
        while (!(mantissa & 0x400u)) {
            mantissa <<= 1;
            --exponent;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3FFu) << 13);
    }
    float out;
    std::memcpy(&out, &bits, sizeof out);
    return out;
}

// ---- portable ---------------------------------------------------------------------------------

template <typename W>
void linearRowsGeneric(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const W* w,
                       const float* b, int64_t outputs, float* y, int64_t ldy, bool relu) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * ldx;
        for (int64_t o = 0; o < outputs; ++o) {
            const W* wo = w + o * inputs;
            // Eight running sums let the compiler vectorise without reassociating a reduction.
            float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            int64_t i = 0;
            for (; i + 8 <= inputs; i += 8) {
                for (int l = 0; l < 8; ++l) {
                    lane[l] += xr[i + l] * toFloat(wo[i + l]);
                }
            }
            float sum = ((lane[0] + lane[1]) + (lane[2] + lane[3])) +
                        ((lane[4] + lane[5]) + (lane[6] + lane[7]));
            for (; i < inputs; ++i) {
                sum += xr[i] * toFloat(wo[i]);
            }
            if (b) {
                sum += b[o];
            }
            y[r * ldy + o] = relu && sum < 0.0f ? 0.0f : sum;
        }
    }
}

template <typename W>
void addProductsGeneric(const float* h, int64_t rows, int64_t inner, int64_t ldh, const W* wt,
                        int64_t outputs, float* y, int64_t ldy) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* hr = h + r * ldh;
        float* yr = y + r * ldy;
        for (int64_t j = 0; j < inner; ++j) {
            const float v = hr[j];
            if (v == 0.0f) {
                continue;
            }
            const W* row = wt + j * outputs;
            for (int64_t o = 0; o < outputs; ++o) {
                yr[o] += v * toFloat(row[o]);
            }
        }
    }
}

// The indices of the non-zero entries of h[0 .. inner), in a per-thread buffer.
const std::vector<int32_t>& nonZeros(const float* h, int64_t inner) {
    thread_local std::vector<int32_t> index;
    index.clear();
    for (int64_t j = 0; j < inner; ++j) {
        if (h[j] != 0.0f) {
            index.push_back(static_cast<int32_t>(j));
        }
    }
    return index;
}

// ---- AVX2 + FMA -------------------------------------------------------------------------------

#define MOEWB_AVX2 __attribute__((target("avx2,fma,f16c")))

MOEWB_AVX2 inline __m256 load8(const float* p) {
    return _mm256_loadu_ps(p);
}
MOEWB_AVX2 inline __m256 load8(const Half* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// The four horizontal sums of a0 … a3, as one 4-lane vector.
MOEWB_AVX2 inline __m128 sum4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    const __m256 t0 = _mm256_hadd_ps(a0, a1);
    const __m256 t1 = _mm256_hadd_ps(a2, a3);
    const __m256 t2 = _mm256_hadd_ps(t0, t1);
    return _mm_add_ps(_mm256_castps256_ps128(t2), _mm256_extractf128_ps(t2, 1));
}

MOEWB_AVX2 inline float sum1(__m256 a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

MOEWB_AVX2 inline void store4(float* y, __m128 v, const float* b, bool relu) {
    if (b) {
        v = _mm_add_ps(v, _mm_loadu_ps(b));
    }
    if (relu) {
        v = _mm_max_ps(v, _mm_setzero_ps());
    }
    _mm_storeu_ps(y, v);
}

// R rows of x against 4 rows of w: 4·R accumulators (8 for R = 2), within AVX2's 16 registers.
template <int R, typename W>
MOEWB_AVX2 void tileAvx2(const float* x, int64_t ldx, const W* w, int64_t inputs, const float* b,
                         float* y, int64_t ldy, bool relu) {
    __m256 acc[R][4];
    for (int r = 0; r < R; ++r) {
        for (int c = 0; c < 4; ++c) {
            acc[r][c] = _mm256_setzero_ps();
        }
    }
    for (int64_t i = 0; i < inputs; i += 8) {
        const __m256 w0 = load8(w + i);
        const __m256 w1 = load8(w + inputs + i);
        const __m256 w2 = load8(w + 2 * inputs + i);
        const __m256 w3 = load8(w + 3 * inputs + i);
        for (int r = 0; r < R; ++r) {
            const __m256 xr = _mm256_loadu_ps(x + r * ldx + i);
            acc[r][0] = _mm256_fmadd_ps(xr, w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(xr, w1, acc[r][1]);
            acc[r][2] = _mm256_fmadd_ps(xr, w2, acc[r][2]);
            acc[r][3] = _mm256_fmadd_ps(xr, w3, acc[r][3]);
        }
    }
    for (int r = 0; r < R; ++r) {
        store4(y + r * ldy, sum4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]), b, relu);
    }
}

template <typename W>
MOEWB_AVX2 float dotAvx2(const float* x, const W* w, int64_t inputs) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < inputs; i += 8) {
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), load8(w + i), acc);
    }
    return sum1(acc);
}

// Output rows are taken in blocks that stay in L1/L2 while every input row passes over them.
constexpr int64_t kOutputBlock = 32;

template <typename W>
MOEWB_AVX2 void linearRowsAvx2(const float* x, int64_t rows, int64_t inputs, int64_t ldx,
                               const W* w, const float* b, int64_t outputs, float* y, int64_t ldy,
                               bool relu) {
    for (int64_t o0 = 0; o0 < outputs; o0 += kOutputBlock) {
        const int64_t o1 = std::min(outputs, o0 + kOutputBlock);
        int64_t r = 0;
        for (; r + 2 <= rows; r += 2) {
            int64_t o = o0;
            for (; o + 4 <= o1; o += 4) {
                tileAvx2<2>(x + r * ldx, ldx, w + o * inputs, inputs, b ? b + o : nullptr,
                            y + r * ldy + o, ldy, relu);
            }
            for (; o < o1; ++o) {
                for (int64_t q = r; q < r + 2; ++q) {
                    float s = dotAvx2(x + q * ldx, w + o * inputs, inputs) + (b ? b[o] : 0.0f);
                    y[q * ldy + o] = relu && s < 0.0f ? 0.0f : s;
                }
            }
        }
        for (; r < rows; ++r) {
            int64_t o = o0;
            for (; o + 4 <= o1; o += 4) {
                tileAvx2<1>(x + r * ldx, ldx, w + o * inputs, inputs, b ? b + o : nullptr,
                            y + r * ldy + o, ldy, relu);
            }
            for (; o < o1; ++o) {
                float s = dotAvx2(x + r * ldx, w + o * inputs, inputs) + (b ? b[o] : 0.0f);
                y[r * ldy + o] = relu && s < 0.0f ? 0.0f : s;
            }
        }
    }
}

template <typename W>
MOEWB_AVX2 void addProductsAvx2(const float* h, int64_t rows, int64_t inner, int64_t ldh,
                                const W* wt, int64_t outputs, float* y, int64_t ldy) {
    for (int64_t r = 0; r < rows; ++r) {
        const auto& index = nonZeros(h + r * ldh, inner);
        const float* hr = h + r * ldh;
        float* yr = y + r * ldy;
        int64_t o = 0;
        // 64 outputs (8 registers) at a time: each kept row of wt is read once per block.
        for (; o + 64 <= outputs; o += 64) {
            __m256 acc[8];
            for (int c = 0; c < 8; ++c) {
                acc[c] = _mm256_loadu_ps(yr + o + 8 * c);
            }
            for (const int32_t j : index) {
                const __m256 v = _mm256_broadcast_ss(hr + j);
                const W* row = wt + j * outputs + o;
                for (int c = 0; c < 8; ++c) {
                    acc[c] = _mm256_fmadd_ps(v, load8(row + 8 * c), acc[c]);
                }
            }
            for (int c = 0; c < 8; ++c) {
                _mm256_storeu_ps(yr + o + 8 * c, acc[c]);
            }
        }
        for (; o + 8 <= outputs; o += 8) {
            __m256 acc = _mm256_loadu_ps(yr + o);
            for (const int32_t j : index) {
                acc =
                    _mm256_fmadd_ps(_mm256_broadcast_ss(hr + j), load8(wt + j * outputs + o), acc);
            }
            _mm256_storeu_ps(yr + o, acc);
        }
        for (; o < outputs; ++o) {
            float acc = yr[o];
            for (const int32_t j : index) {
                acc += hr[j] * toFloat(wt[j * outputs + o]);
            }
            yr[o] = acc;
        }
    }
}

// ---- AVX-512 ----------------------------------------------------------------------------------

#define MOEWB_AVX512 __attribute__((target("avx512f,avx2,fma,f16c")))

MOEWB_AVX512 inline __m512 load16(const float* p) {
    return _mm512_loadu_ps(p);
}
MOEWB_AVX512 inline __m512 load16(const Half* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

MOEWB_AVX512 inline __m256 fold(__m512 a) {
    // The upper half moved down by a lane shuffle (AVX-512F alone; extract needs DQ or warns).
    const __m512 high = _mm512_maskz_shuffle_f32x4(0xFFFF, a, a, _MM_SHUFFLE(3, 2, 3, 2));
    return _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_castps512_ps256(high));
}

// R rows of x against 4 rows of w, 16 floats per step: up to 16 accumulators of AVX-512's 32.
template <int R, typename W>
MOEWB_AVX512 void tileAvx512(const float* x, int64_t ldx, const W* w, int64_t inputs,
                             const float* b, float* y, int64_t ldy, bool relu) {
    __m512 acc[R][4];
    for (int r = 0; r < R; ++r) {
        for (int c = 0; c < 4; ++c) {
            acc[r][c] = _mm512_setzero_ps();
        }
    }
    for (int64_t i = 0; i < inputs; i += 16) {
        const __m512 w0 = load16(w + i);
        const __m512 w1 = load16(w + inputs + i);
        const __m512 w2 = load16(w + 2 * inputs + i);
        const __m512 w3 = load16(w + 3 * inputs + i);
        for (int r = 0; r < R; ++r) {
            const __m512 xr = _mm512_loadu_ps(x + r * ldx + i);
            acc[r][0] = _mm512_fmadd_ps(xr, w0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(xr, w1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(xr, w2, acc[r][2]);
            acc[r][3] = _mm512_fmadd_ps(xr, w3, acc[r][3]);
        }
    }
    for (int r = 0; r < R; ++r) {
        store4(y + r * ldy,
               sum4(fold(acc[r][0]), fold(acc[r][1]), fold(acc[r][2]), fold(acc[r][3])), b, relu);
    }
}

template <typename W>
MOEWB_AVX512 void linearRowsAvx512(const float* x, int64_t rows, int64_t inputs, int64_t ldx,
                                   const W* w, const float* b, int64_t outputs, float* y,
                                   int64_t ldy, bool relu) {
    for (int64_t o0 = 0; o0 < outputs; o0 += kOutputBlock) {
        const int64_t o1 = std::min(outputs, o0 + kOutputBlock);
        const int64_t o4 = o0 + (o1 - o0) / 4 * 4;
        int64_t r = 0;
        for (; r + 4 <= rows; r += 4) {
            for (int64_t o = o0; o < o4; o += 4) {
                tileAvx512<4>(x + r * ldx, ldx, w + o * inputs, inputs, b ? b + o : nullptr,
                              y + r * ldy + o, ldy, relu);
            }
        }
        // The last 1-3 rows in one tile, so each weight row is still read once per pass.
        const int64_t left = rows - r;
        for (int64_t o = o0; left > 0 && o < o4; o += 4) {
            const float* bo = b ? b + o : nullptr;
            if (left == 3) {
                tileAvx512<3>(x + r * ldx, ldx, w + o * inputs, inputs, bo, y + r * ldy + o, ldy,
                              relu);
            } else if (left == 2) {
                tileAvx512<2>(x + r * ldx, ldx, w + o * inputs, inputs, bo, y + r * ldy + o, ldy,
                              relu);
            } else {
                tileAvx512<1>(x + r * ldx, ldx, w + o * inputs, inputs, bo, y + r * ldy + o, ldy,
                              relu);
            }
        }
        if (o4 < o1) {  // the last 1-3 outputs of the block
            linearRowsAvx2(x, rows, inputs, ldx, w + o4 * inputs, b ? b + o4 : nullptr, o1 - o4,
                           y + o4, ldy, relu);
        }
    }
}

template <typename W>
MOEWB_AVX512 void addProductsAvx512(const float* h, int64_t rows, int64_t inner, int64_t ldh,
                                    const W* wt, int64_t outputs, float* y, int64_t ldy) {
    for (int64_t r = 0; r < rows; ++r) {
        const auto& index = nonZeros(h + r * ldh, inner);
        const float* hr = h + r * ldh;
        float* yr = y + r * ldy;
        int64_t o = 0;
        for (; o + 128 <= outputs; o += 128) {
            __m512 acc[8];
            for (int c = 0; c < 8; ++c) {
                acc[c] = _mm512_loadu_ps(yr + o + 16 * c);
            }
            for (const int32_t j : index) {
                const __m512 v = _mm512_set1_ps(hr[j]);
                const W* row = wt + j * outputs + o;
                for (int c = 0; c < 8; ++c) {
                    acc[c] = _mm512_fmadd_ps(v, load16(row + 16 * c), acc[c]);
                }
            }
            for (int c = 0; c < 8; ++c) {
                _mm512_storeu_ps(yr + o + 16 * c, acc[c]);
            }
        }
        for (; o + 16 <= outputs; o += 16) {
            __m512 acc = _mm512_loadu_ps(yr + o);
            for (const int32_t j : index) {
                acc = _mm512_fmadd_ps(_mm512_set1_ps(hr[j]), load16(wt + j * outputs + o), acc);
            }
            _mm512_storeu_ps(yr + o, acc);
        }
        for (; o < outputs; ++o) {
            float acc = yr[o];
            for (const int32_t j : index) {
                acc += hr[j] * toFloat(wt[j * outputs + o]);
            }
            yr[o] = acc;
        }
    }
}

// ---- dispatch ---------------------------------------------------------------------------------

Isa detectIsa() {
    __builtin_cpu_init();
    Isa best = isaSupported(Isa::Avx512) ? Isa::Avx512
               : isaSupported(Isa::Avx2) ? Isa::Avx2
                                         : Isa::Generic;
    if (const char* wanted = std::getenv("MOEWB_KERNEL_ISA")) {
        for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512}) {
            if (isaName(isa) == wanted && isaSupported(isa)) {
                best = isa;
            }
        }
    }
    return best;
}

std::atomic<int>& chosenIsa() {
    static std::atomic<int> isa{static_cast<int>(detectIsa())};
    return isa;
}

}  // namespace

bool isaSupported(Isa isa) {
    __builtin_cpu_init();
    switch (isa) {
        case Isa::Generic:
            return true;
        case Isa::Avx2:
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case Isa::Avx512:
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                   __builtin_cpu_supports("avx512f");
    }
    return false;
}

std::string isaName(Isa isa) {
    switch (isa) {
        case Isa::Generic:
            return "generic";
        case Isa::Avx2:
            return "avx2";
        case Isa::Avx512:
            return "avx512";
    }
    return "unknown";
}

Isa activeIsa() {
    return static_cast<Isa>(chosenIsa().load(std::memory_order_relaxed));
}

void setIsa(Isa isa) {
    if (!isaSupported(isa)) {
        throw std::invalid_argument("this CPU cannot run the " + isaName(isa) + " kernels");
    }
    chosenIsa().store(static_cast<int>(isa));
}

namespace {

template <typename W>
void linearRowsAny(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const W* w,
                   const float* b, int64_t outputs, float* y, int64_t ldy, bool relu) {
    const Isa isa = activeIsa();
    if (isa == Isa::Avx512 && inputs % 16 == 0) {
        linearRowsAvx512(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
    } else if (isa != Isa::Generic && inputs % 8 == 0) {
        linearRowsAvx2(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
    } else {
        linearRowsGeneric(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
    }
}

template <typename W>
void linearRowsThreadedAny(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const W* w,
                           const float* b, int64_t outputs, float* y, int64_t ldy, bool relu) {
    if (rows * inputs * outputs < parallelWork() || at::get_num_threads() < 2 ||
        at::in_parallel_region()) {
        linearRowsAny(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
        return;
    }
    const int64_t blocks = (outputs + kOutputBlock - 1) / kOutputBlock;
    at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
        const int64_t o0 = first * kOutputBlock, o1 = std::min(outputs, last * kOutputBlock);
        linearRowsAny(x, rows, inputs, ldx, w + o0 * inputs, b ? b + o0 : nullptr, o1 - o0, y + o0,
                      ldy, relu);
    });
}

template <typename W>
void addProductsAny(const float* h, int64_t rows, int64_t inner, int64_t ldh, const W* wt,
                    int64_t outputs, float* y, int64_t ldy) {
    switch (activeIsa()) {
        case Isa::Avx512:
            addProductsAvx512(h, rows, inner, ldh, wt, outputs, y, ldy);
            break;
        case Isa::Avx2:
            addProductsAvx2(h, rows, inner, ldh, wt, outputs, y, ldy);
            break;
        case Isa::Generic:
            addProductsGeneric(h, rows, inner, ldh, wt, outputs, y, ldy);
            break;
    }
}

}  // namespace

void linearRows(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const float* w,
                const float* b, int64_t outputs, float* y, int64_t ldy, bool relu) {
    linearRowsAny(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
}
void linearRows(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const Half* w,
                const float* b, int64_t outputs, float* y, int64_t ldy, bool relu) {
    linearRowsAny(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
}
void linearRowsThreaded(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const float* w,
                        const float* b, int64_t outputs, float* y, int64_t ldy, bool relu) {
    linearRowsThreadedAny(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
}
void linearRowsThreaded(const float* x, int64_t rows, int64_t inputs, int64_t ldx, const Half* w,
                        const float* b, int64_t outputs, float* y, int64_t ldy, bool relu) {
    linearRowsThreadedAny(x, rows, inputs, ldx, w, b, outputs, y, ldy, relu);
}
void addProducts(const float* h, int64_t rows, int64_t inner, int64_t ldh, const float* wt,
                 int64_t outputs, float* y, int64_t ldy) {
    addProductsAny(h, rows, inner, ldh, wt, outputs, y, ldy);
}
void addProducts(const float* h, int64_t rows, int64_t inner, int64_t ldh, const Half* wt,
                 int64_t outputs, float* y, int64_t ldy) {
    addProductsAny(h, rows, inner, ldh, wt, outputs, y, ldy);
}

std::vector<Half> exactHalfCopy(const float* values, int64_t count) {
    std::vector<Half> out(static_cast<std::size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
        uint32_t bits;
        std::memcpy(&bits, values + i, sizeof bits);
        const uint32_t sign = (bits >> 16) & 0x8000u;
        const int exponent = int((bits >> 23) & 0xFFu) - 127;
        const uint32_t full = (bits & 0x7FFFFFu) | 0x800000u;
        Half h;
        if ((bits & 0x7FFFFFFFu) == 0) {
            h = Half(sign);
        } else if (exponent >= -14 && exponent <= 15) {
            h = Half(sign | uint32_t(exponent + 15) << 10 | ((bits & 0x7FFFFFu) >> 13));
        } else if (exponent >= -24 && exponent < -14) {
            h = Half(sign | (full >> (-1 - exponent)));  // a float16 subnormal
        } else {
            return {};  // out of float16's range (or inf / NaN)
        }
        if (toFloat(h) != values[i]) {
            return {};  // needs more mantissa bits than float16 has
        }
        out[static_cast<std::size_t>(i)] = h;
    }
    return out;
}

int64_t parallelWork() {
    return int64_t(1) << 20;
}

void forRowBlocks(int64_t rows, int64_t cost, const std::function<void(int64_t, int64_t)>& work) {
    if (rows < 2 || rows * cost < parallelWork() || at::get_num_threads() < 2 ||
        at::in_parallel_region()) {
        work(0, rows);
        return;
    }
    at::parallel_for(0, rows, 1, work);
}

}  // namespace moewb::kernels
