// Clipping a step's gradient by its global norm, as torch.nn.utils.clip_grad_norm_ (and the CPU
// backend): g ← g · min(1, max_norm / (‖g‖₂ + 1e-6)), over every parameter's gradient as one vector.
// Two launches: clip_norm_sum_squares leaves one partial sum of squares per block, clip_norm_scale adds them in
// a fixed order (the same sum every run) and scales. Sums are in double, as the CPU's are.
#define BLOCK 256

// partials[b] = Σ g[i]² over the elements block b visits (a grid-stride loop).
// Launch: `parts` blocks of BLOCK threads; clip_norm_scale reads the same `parts`.
extern "C" __global__ void clip_norm_sum_squares(const float* __restrict__ g, long n, double* __restrict__ partials) {
    __shared__ double sums[BLOCK];
    double mine = 0.0;
    for (long i = (long) blockIdx.x * BLOCK + threadIdx.x; i < n; i += (long) gridDim.x * BLOCK) {
        mine += (double) g[i] * (double) g[i];
    }
    sums[threadIdx.x] = mine;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sums[threadIdx.x] += sums[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) partials[blockIdx.x] = sums[0];
}

// g ← g · (float) (max_norm / (√Σ partials[0..parts) + 1e-6)) where that factor is below 1.
// Launch: 1-D, any grid, BLOCK threads (a grid-stride loop).
extern "C" __global__ void clip_norm_scale(float* __restrict__ g, long n, const double* __restrict__ partials, int parts,
                                        double max_norm) {
    __shared__ double factor;
    if (threadIdx.x == 0) {
        double squares = 0.0;
        for (int p = 0; p < parts; p++) squares += partials[p];
        factor = max_norm / (sqrt(squares) + 1e-6);
    }
    __syncthreads();
    if (factor >= 1.0) return;
    const float f = (float) factor;
    for (long i = (long) blockIdx.x * BLOCK + threadIdx.x; i < n; i += (long) gridDim.x * BLOCK) g[i] *= f;
}
