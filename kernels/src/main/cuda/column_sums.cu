// Adds the rows of a [rows, n] matrix in a fixed order, so that the sum is deterministic:
//   out[i] = Σ_r in[r·n + i]
// Used for the per-block gradient partials of mlp64_step.
// Launch: 1-D, one thread per column, any block size.
extern "C" __global__ void column_sums(const float* __restrict__ in, int rows, long n, float* __restrict__ out) {
    const long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float sum = 0.0f;
    for (int r = 0; r < rows; r++) sum += in[(long) r * n + i];
    out[i] = sum;
}
