#include "activation.cuh"
// Forward epilogue of a dense layer, after the GEMM z = x·Wᵀ:
//   z[r, c] += b[c];  a[r, c] = act(z[r, c])
// Shapes: z, a [rows, cols] row-major; b [cols]. Softmax only adds the bias and
// copies: the cross-entropy kernel normalises the row.
// Launch: 1-D, one thread per element, any block size.
extern "C" __global__ void bias_activation(float* __restrict__ z, float* __restrict__ a,
                                           const float* __restrict__ b, int rows, int cols, int act) {
    require_activation(act);
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long) rows * cols) return;
    float v = z[i] + b[i % cols];
    z[i] = v;
    a[i] = activate(act, v);
}
