#pragma once
// float16 copies of a Transformer's decoding matrices, for the kernels (FfnKernels.h). Made only
// when every value is exactly a float16 — as in a model loaded from a float16 file, such as the
// shipped one — so decoding reads half the bytes and computes bit for bit what it computes on the
// float32 weights. Any in-place change of a weight (training, fine-tuning, loading new values)
// makes the copies stale; current() tells, and users fall back to the float32 weights.

#include "moewb/kernels/FfnKernels.h"

#include <torch/types.h>

#include <memory>
#include <unordered_map>
#include <vector>

namespace moewb {

class TransformerImpl;

class HalfWeights {
public:
    // The copies of the decoder's projections, FFNs and the output projection, or null when a
    // weight is not exactly a float16.
    static std::shared_ptr<const HalfWeights> make(const TransformerImpl& model);

    // Whether no weight was changed since make() (LibTorch bumps a tensor's version counter on
    // every in-place write).
    bool current() const;
    // The float16 copy of `weight` (a parameter given to make()), or null.
    const kernels::Half* find(const torch::Tensor& weight) const;
    // The float16 copy of a decoder FFN's W2 transposed ([d_ff, d_model]), for the product that
    // skips the zero hidden units (kernels::addProducts), or null.
    const kernels::Half* findTransposed(const torch::Tensor& w2) const;

private:
    std::unordered_map<const void*, std::vector<kernels::Half>> m_copies, m_transposed;
    std::vector<std::pair<torch::Tensor, uint32_t>> m_versions;
};

}  // namespace moewb
