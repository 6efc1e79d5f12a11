// Adds the per-block loss sums of loss_delta in a fixed order and stores the batch's mean loss
// for this step:  step_loss[*step_index] = scale · Σ partial[0..blocks)
// scale is 1/n for MSE and BCE, 1/rows for cross-entropy.
// Launch: one block of 256 threads.
#define BLOCK 256
extern "C" __global__ void loss_finalize(const float* __restrict__ partial, int blocks, float scale,
                                         const int* __restrict__ step_index, float* __restrict__ step_loss) {
    __shared__ double sums[BLOCK];
    double mine = 0.0;
    for (int b = threadIdx.x; b < blocks; b += BLOCK) mine += partial[b];
    sums[threadIdx.x] = mine;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sums[threadIdx.x] += sums[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) step_loss[*step_index] = (float) (sums[0] * scale);
}
