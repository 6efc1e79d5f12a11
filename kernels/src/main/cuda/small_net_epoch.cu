#include "loss.cuh"
#include "optimizer.cuh"
// A whole epoch of a small network in one launch, one thread block: for every step, gather the
// batch's rows, forward through every layer, loss and its gradient, backward by the chain rule,
// optimiser update; the parameters and the batch's activations stay in shared memory throughout.
// With batch 1 this is the seed material's row-by-row loop, each step depending on the last, so
// it runs at the latency of one block instead of one launch per step.
// Semantics equal the general path (gather_rows … optimizer_update): same formulas, same layout
// (weights [out, in] row-major then biases, layer by layer), losses into step_loss[s].
// Shared memory (floats): W[P], G[P], then a0 [batch·w0], per layer z, a [batch·w_{l+1}],
// y [batch·k], two deltas [batch·max w], and blockDim floats for the loss reduction.
// Launch: one block (32 or 256 threads), dynamic shared memory as computed by the host.
// Latency is the whole story for the seed network: a one-warp block synchronises with
// __syncwarp, the loss is reduced with warp shuffles (in a fixed order: deterministic), and
// when the batch's inputs fit one element per thread the next step's rows are loaded into
// registers while the current step computes.
#define MAX_LAYERS 8

struct SmallNet {
    int layers;
    int width[MAX_LAYERS + 1];
    int act[MAX_LAYERS];
    int loss;   // LOSS_*
};

__device__ __forceinline__ void block_sync(bool one_warp) {
    if (one_warp) __syncwarp(); else __syncthreads();
}

// Element tid of the batch starting at row r0: inputs first (batch·w0), then targets (batch·k).
__device__ __forceinline__ float load_batch_element(const float* features, const float* targets, const int* order,
                                                    int rows, int r0, int batch, int w0, int k, int tid) {
    const int nb = min(batch, rows - r0);
    if (tid < nb * w0) return features[(long) order[r0 + tid / w0] * w0 + tid % w0];
    const int j = tid - nb * w0;
    if (j < nb * k) return targets[(long) order[r0 + j / k] * k + j % k];
    return 0.0f;
}

extern "C" __global__ void small_net_epoch(SmallNet net, OptimizerArgs opt, const float* __restrict__ features,
                                           const float* __restrict__ targets, const int* __restrict__ order,
                                           int rows, int batch, float* __restrict__ params,
                                           float* __restrict__ m, float* __restrict__ v,
                                           const float* __restrict__ lr_ptr, int* __restrict__ step_count,
                                           float* __restrict__ step_loss) {
    extern __shared__ float sh[];
    const int tid = threadIdx.x, nt = blockDim.x, L = net.layers;
    require_loss(net.loss);
    require_optimizer(opt.kind);
#pragma unroll
    for (int l = 0; l < MAX_LAYERS; l++) {
        if (l < L) require_activation(net.act[l]);    // constant indices: a loop to L took 17 more registers
    }
    const int w0 = net.width[0], k = net.width[L];
    int woff[MAX_LAYERS], boff[MAX_LAYERS], maxw = w0, P = 0;
    for (int l = 0; l < L; l++) {
        woff[l] = P;
        P += net.width[l] * net.width[l + 1];
        boff[l] = P;
        P += net.width[l + 1];
        maxw = max(maxw, net.width[l + 1]);
    }
    float* W = sh;
    float* G = W + P;
    float* act_base = G + P;                      // a0, then z_l, a_l per layer
    float* zs[MAX_LAYERS];
    float* as[MAX_LAYERS + 1];
    as[0] = act_base;
    float* next = act_base + batch * w0;
    for (int l = 0; l < L; l++) {
        zs[l] = next;
        as[l + 1] = next + batch * net.width[l + 1];
        next = as[l + 1] + batch * net.width[l + 1];
    }
    float* Y = next;
    float* d_cur = Y + batch * k;
    float* d_next = d_cur + batch * maxw;
    float* red = d_next + batch * maxw;

    for (int i = tid; i < P; i += nt) W[i] = params[i];
    const float lr = *lr_ptr;
    int t = *step_count;
    const int steps = (rows + batch - 1) / batch;
    const bool one_warp = nt == 32;
    // one element of the batch (x, then y) per thread: load step s+1 while step s computes
    const bool prefetch = batch * (w0 + k) <= nt;
    float ahead = prefetch ? load_batch_element(features, targets, order, rows, 0, batch, w0, k, tid) : 0.0f;
    block_sync(one_warp);

    for (int s = 0; s < steps; s++) {
        const int r0 = s * batch, nb = min(batch, rows - r0);
        if (prefetch) {
            if (tid < nb * w0) as[0][tid] = ahead;
            else if (tid < nb * w0 + nb * k) Y[tid - nb * w0] = ahead;
            if (s + 1 < steps) ahead = load_batch_element(features, targets, order, rows, r0 + batch, batch, w0, k, tid);
        } else {
            for (int i = tid; i < nb * w0; i += nt) as[0][i] = features[(long) order[r0 + i / w0] * w0 + i % w0];
            for (int i = tid; i < nb * k; i += nt) Y[i] = targets[(long) order[r0 + i / k] * k + i % k];
        }
        block_sync(one_warp);

        for (int l = 0; l < L; l++) {                          // z = a·Wᵀ + b; a' = act(z)
            const int in = net.width[l], out = net.width[l + 1];
            const float* A = as[l];
            for (int i = tid; i < nb * out; i += nt) {
                const int r = i / out, o = i % out;
                float acc = W[boff[l] + o];
                for (int j = 0; j < in; j++) acc += A[r * in + j] * W[woff[l] + o * in + j];
                zs[l][i] = acc;
                as[l + 1][i] = activate(net.act[l], acc);
            }
            block_sync(one_warp);
        }

        float mine = 0.0f;                                     // loss and ∂L/∂z at the output
        const float* Z = zs[L - 1];
        float* A = as[L];
        if (net.loss == LOSS_CROSS_ENTROPY) {
            for (int r = tid; r < nb; r += nt) {
                float mx = -INFINITY, sum = 0.0f, lossr = 0.0f, ysum = 0.0f;
                for (int c = 0; c < k; c++) mx = fmaxf(mx, Z[r * k + c]);
                for (int c = 0; c < k; c++) sum += expf(Z[r * k + c] - mx);
                const float lse = mx + logf(sum);
                for (int c = 0; c < k; c++) {
                    lossr += Y[r * k + c] * (lse - Z[r * k + c]);
                    ysum += Y[r * k + c];
                }
                for (int c = 0; c < k; c++) {
                    A[r * k + c] = expf(Z[r * k + c] - lse);
                    d_cur[r * k + c] = (ysum * A[r * k + c] - Y[r * k + c]) / nb;
                }
                mine += lossr;
            }
        } else {
            const float inv_n = 1.0f / ((float) nb * k);
            for (int i = tid; i < nb * k; i += nt) {
                mine += elementwise_loss(net.loss, net.act[L - 1], Z[i], A[i], Y[i], inv_n, d_cur[i]);
            }
        }
        for (int offset = 16; offset > 0; offset >>= 1) mine += __shfl_down_sync(0xffffffffu, mine, offset);
        if ((tid & 31) == 0) red[tid >> 5] = mine;
        block_sync(one_warp);
        if (tid == 0) {
            float total = 0.0f;
            for (int w = 0; w < nt / 32; w++) total += red[w];
            step_loss[s] = total / (net.loss == LOSS_CROSS_ENTROPY ? (float) nb : (float) nb * k);
        }

        for (int l = L - 1; l >= 0; l--) {                     // the chain rule, layer by layer
            const int in = net.width[l], out = net.width[l + 1];
            const float* Ain = as[l];
            for (int i = tid; i < out * in + out; i += nt) {
                float acc = 0.0f;
                if (i < out * in) {
                    const int o = i / in, j = i % in;
                    for (int r = 0; r < nb; r++) acc += d_cur[r * out + o] * Ain[r * in + j];
                } else {
                    const int o = i - out * in;
                    for (int r = 0; r < nb; r++) acc += d_cur[r * out + o];
                }
                G[woff[l] + i] = acc;                          // biases follow weights in the layout
            }
            if (l > 0) {
                for (int i = tid; i < nb * in; i += nt) {
                    const int r = i / in, j = i % in;
                    float acc = 0.0f;
                    for (int o = 0; o < out; o++) acc += d_cur[r * out + o] * W[woff[l] + o * in + j];
                    d_next[i] = acc * activation_slope(net.act[l - 1], zs[l - 1][i], as[l][i]);
                }
            }
            block_sync(one_warp);
            float* swap = d_cur;
            d_cur = d_next;
            d_next = swap;
        }

        t += 1;
        const StepScalars scalars = step_scalars(opt, lr, t);
        for (int i = tid; i < P; i += nt) W[i] = optimizer_step(opt, scalars, W[i], G[i], m, v, i);
        block_sync(one_warp);
    }
    for (int i = tid; i < P; i += nt) params[i] = W[i];
    if (tid == 0) *step_count = t;
}
