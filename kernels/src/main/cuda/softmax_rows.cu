// Softmax across each row, for predictions (training fuses it into the cross-entropy loss):
//   a[r, c] = exp(z[r, c] − max_c z[r, :]) / Σ_c exp(z[r, c] − max)
// Shapes: z, a [rows, cols] row-major. Launch: 1-D, one thread per row, any block size.
extern "C" __global__ void softmax_rows(const float* __restrict__ z, float* __restrict__ a, int rows, int cols) {
    long r = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    const float* zr = z + r * cols;
    float* ar = a + r * cols;
    float m = -INFINITY;
    for (int c = 0; c < cols; c++) m = fmaxf(m, zr[c]);
    float sum = 0.0f;
    for (int c = 0; c < cols; c++) sum += expf(zr[c] - m);
    for (int c = 0; c < cols; c++) ar[c] = expf(zr[c] - m) / sum;
}
