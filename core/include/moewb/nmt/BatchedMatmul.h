#pragma once
// Batched matrix product for attention, split over the batch across LibTorch's threads, with
// its own backward. LibTorch 1.13's CPU bmm multiplies the batch's matrices one after another on
// one core when each is small (attention: batch x heads matrices of about 15 x 64). Measured with
// train_step_bench on 2 cores: training steps 1.5-1.7x faster while other work loads the machine,
// within the noise (+3 % median) on a quiet one.

#include <torch/torch.h>

namespace moewb {

// a [..., M, K] x b [..., K, N] -> [..., M, N] (equal leading dimensions, no broadcasting).
torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace moewb
