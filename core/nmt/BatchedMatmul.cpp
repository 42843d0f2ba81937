#include "moewb/nmt/BatchedMatmul.h"

#include <ATen/Parallel.h>

namespace moewb {

namespace {

// 3-D product, each thread multiplying its own slice of the batch into the shared output.
torch::Tensor parallelBmm(const torch::Tensor& a, const torch::Tensor& b) {
    const int64_t batch = a.size(0);
    auto out = torch::empty({batch, a.size(1), b.size(2)}, a.options());
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
        auto slice = out.narrow(0, begin, end - begin);
        at::bmm_out(slice, a.narrow(0, begin, end - begin), b.narrow(0, begin, end - begin));
    });
    return out;
}

torch::Tensor fold(const torch::Tensor& x) {
    return x.reshape({-1, x.size(-2), x.size(-1)});
}

class BatchedMatmulFunction : public torch::autograd::Function<BatchedMatmulFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& a,
                                 const torch::Tensor& b) {
        context->save_for_backward({a, b});
        return parallelBmm(a, b);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::tensor_list gradients) {
        const auto saved = context->get_saved_variables();
        const auto& a = saved[0];
        const auto& b = saved[1];
        const auto grad = gradients[0].contiguous();
        return {parallelBmm(grad, b.transpose(1, 2)), parallelBmm(a.transpose(1, 2), grad)};
    }
};

}  // namespace

torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b) {
    auto shape = a.sizes().vec();
    shape.back() = b.size(-1);
    const auto a3 = fold(a), b3 = fold(b);
    const bool track = torch::GradMode::is_enabled() && (a.requires_grad() || b.requires_grad());
    const auto out = track ? BatchedMatmulFunction::apply(a3, b3) : parallelBmm(a3, b3);
    return out.view(shape);
}

}  // namespace moewb
