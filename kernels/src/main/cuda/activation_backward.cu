#include "activation.cuh"
// Chain rule through an activation:  dz = da ⊙ act'(z), with act' written from z and a = act(z).
// Shapes: z, a, da, dz [rows, cols] row-major (n = rows·cols elements). dz may alias da.
// Launch: 1-D, one thread per element, any block size.
extern "C" __global__ void activation_backward(const float* __restrict__ z, const float* __restrict__ a,
                                               const float* da, float* dz, long n, int act) {
    require_activation(act);
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    dz[i] = da[i] * activation_slope(act, z[i], a[i]);
}
