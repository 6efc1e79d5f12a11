#include "philox.cuh"
// Inverted dropout of a hidden layer, both ways (philox.cuh draws the mask):
//   forward:  out = a ⊙ mask, the layer above's input, with a = act(z) kept for the slope;
//   backward: ∂L/∂a = ∂L/∂(a ⊙ mask) ⊙ mask, in place, before activation_backward.
// The mask is that of optimiser step *step_count, so that the forward and backward passes of a
// step, which both launch this kernel, drop the same units without storing them.
// Shapes: in, out [rows, units] row-major, n = rows·units elements; out may alias in.
// Launch: 1-D, one thread per 4 elements (one Philox block), any block size.
extern "C" __global__ void dropout(const float* in, float* out, long n, int layer, const int* __restrict__ step_count,
                                   unsigned int key_low, unsigned int key_high, unsigned int threshold, float scale) {
    long group = (long) blockIdx.x * blockDim.x + threadIdx.x;
    long first = 4 * group;
    if (first >= n) return;
    float factor[4];
    dropout_factors((unsigned int) group, layer, *step_count, key_low, key_high, threshold, scale, factor);
    for (int w = 0; w < 4 && first + w < n; w++) out[first + w] = in[first + w] * factor[w];
}
