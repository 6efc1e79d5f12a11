#include "philox.cuh"
// Inverted dropout of a hidden layer, both ways (philox.cuh draws the mask):
//   forward:  out = a ⊙ mask, the layer above's input, with a = act(z) kept for the slope;
//   backward: ∂L/∂a = ∂L/∂(a ⊙ mask) ⊙ mask, in place, before activation_backward.
// The mask is that of optimiser step *step_count, so that the forward and backward passes of a
// step, which both launch this kernel, drop the same units without storing them. in[i] is element
// first_element + i of the layer's output for the step's whole batch: a data-parallel rank whose
// rows start at row r of that batch passes r·units, and draws that part of the whole batch's mask.
// Shapes: in, out [rows, units] row-major, n = rows·units elements; out may alias in.
// Launch: 1-D, one thread per Philox block of 4 elements that [first_element, first_element + n)
// touches, any block size.
extern "C" __global__ void dropout(const float* in, float* out, long n, long first_element, int layer,
                                   const int* __restrict__ step_count, unsigned int key_low, unsigned int key_high,
                                   unsigned int threshold, float scale) {
    const long group = (first_element >> 2) + (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (4 * group >= first_element + n) return;
    float factor[4];
    dropout_factors((unsigned int) group, layer, *step_count, key_low, key_high, threshold, scale, factor);
    for (int w = 0; w < 4; w++) {
        const long i = 4 * group + w - first_element;
        if (i >= 0 && i < n) out[i] = in[i] * factor[w];
    }
}
