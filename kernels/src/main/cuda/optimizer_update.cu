#include "optimizer.cuh"
// One optimiser step over the flat parameter buffer, all tensors in one launch, with
// PyTorch's semantics (torch.optim.SGD, Adam, AdamW, RMSprop). The learning rate and the
// step count are read from the device so that a captured graph serves every step.
//   kind 0 SGD:      d = g + λw; v = μv + d (μ ≠ 0); w −= η·(nesterov ? d + μv : v)
//   kind 1 Adam:     g += λw; m = β1m + (1−β1)g; v = β2v + (1−β2)g²;
//                    w −= (η/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + ε)
//   kind 2 AdamW:    w −= ηλw, then Adam without λ
//   kind 3 RMSProp:  g += λw; v = αv + (1−α)g²; b = μb + g/(√v + ε); w −= η·(μ ≠ 0 ? b : g/(√v + ε))
// m and v are the optimiser's state buffers; t = *step_count + 1.
// Launch: 1-D, one thread per parameter, any block size.
extern "C" __global__ void optimizer_update(OptimizerArgs o, float* __restrict__ w, const float* __restrict__ g,
                                            float* __restrict__ m, float* __restrict__ v, long n,
                                            const float* __restrict__ lr_ptr, const int* __restrict__ step_count) {
    require_optimizer(o.kind);
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    w[i] = optimizer_step(o, step_scalars(o, *lr_ptr, *step_count + 1), w[i], g[i], m, v, i);
}
