#include "loss.cuh"
// The loss of a batch and its gradient with respect to the output layer's pre-activation z,
// in one pass. Shapes: z, a, y, dz [rows, cols] row-major. Each block writes the sum of its
// rows' losses to partial[blockIdx.x]; loss_finalize adds the partials in a fixed order, so
// the loss is deterministic.
//   loss 0, MSE:  L = Σ(a − y)²/n, n = rows·cols;  dz = 2(a − y)/n · act'(z)
//   loss 1, BCE (sigmoid output, from the logit):  L = Σ max(z,0) − z·y + log(1 + e^−|z|) / n;  dz = (σ(z) − y)/n
//   loss 2, softmax cross-entropy:  a = softmax(z) per row, L = Σ_r Σ_c y·(lse(z_r) − z_rc) / rows;
//           dz = (s_r·a − y)/rows with s_r = Σ_c y_rc
// Launch: 1-D, 256 threads per block; MSE and BCE one thread per element, cross-entropy one
// thread per row (outputs are class scores: a few to a few thousand columns).
#define BLOCK 256

__device__ float row_cross_entropy(const float* z, float* a, const float* y, float* dz, int cols, float inv_rows) {
    float m = -INFINITY;
    for (int c = 0; c < cols; c++) m = fmaxf(m, z[c]);
    float sum = 0.0f;
    for (int c = 0; c < cols; c++) sum += expf(z[c] - m);
    float lse = m + logf(sum);
    float loss = 0.0f, target_sum = 0.0f;
    for (int c = 0; c < cols; c++) {
        loss += y[c] * (lse - z[c]);
        target_sum += y[c];
    }
    for (int c = 0; c < cols; c++) {
        a[c] = expf(z[c] - lse);
        dz[c] = (target_sum * a[c] - y[c]) * inv_rows;
    }
    return loss;
}

extern "C" __global__ void loss_delta(int loss, int out_act, const float* __restrict__ z, float* __restrict__ a,
                                      const float* __restrict__ y, float* __restrict__ dz,
                                      int rows, int cols, float* __restrict__ partial) {
    require_loss(loss);
    require_activation(out_act);
    __shared__ float sums[BLOCK];
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    float mine = 0.0f;
    if (loss == LOSS_CROSS_ENTROPY) {
        if (i < rows) mine = row_cross_entropy(z + i * cols, a + i * cols, y + i * cols, dz + i * cols, cols, 1.0f / rows);
    } else if (i < (long) rows * cols) {
        float inv_n = 1.0f / ((float) rows * cols);
        mine = elementwise_loss(loss, out_act, z[i], a[i], y[i], inv_n, dz[i]);
    }
    sums[threadIdx.x] = mine;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sums[threadIdx.x] += sums[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = sums[0];
}
