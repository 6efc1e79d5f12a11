#include "loss.cuh"
#include "optimizer.cuh"
// Row-by-row training (batch 1) of a network with one hidden layer, I-H-O, its widths fixed at
// compile time: a whole epoch in one launch of one warp, every parameter, gradient and optimiser
// state in registers. Each step depends on the one before, so the epoch runs at the latency of
// one chain of arithmetic; small_net_epoch.cu does the same for any small network but goes
// through shared memory, run-time layer tables and a barrier per phase, and is ~10× slower for
// the seed network. Same formulas, same order of summation and the same parameter layout
// (weights [out, in] row-major, then biases, layer by layer) as the other kernels.
//
// All 32 lanes run the step redundantly on the same values (no divergence, no broadcast), which
// leaves each lane free to fetch one row of the next chunk of 32 while the current chunk trains:
// the row indexes two chunks ahead and the rows one chunk ahead are in flight at any time, so
// the chain never waits for global memory.
// Entry point: tiny_net_epoch_I_H_O, one per shape (see the end of this file).

#define CHUNK 32

// Activation codes per layer (ACT_*) and the loss (LOSS_*).
struct TinyNet {
    int hidden_act;
    int output_act;
    int loss;
};

template <int I, int O>
__device__ __forceinline__ void fetch_row(const float* __restrict__ features, const float* __restrict__ targets, int row,
                                          float (&x)[I], float (&y)[O]) {
    if (row < 0) return;
#pragma unroll
    for (int i = 0; i < I; i++) x[i] = features[(long) row * I + i];
#pragma unroll
    for (int k = 0; k < O; k++) y[k] = targets[(long) row * O + k];
}

// The loss of one row and ∂L/∂z of the output layer; a becomes softmax(z) for cross-entropy.
// The same formulas as loss.cuh, written out here: with elementwise_loss inlined instead, nvcc
// orders this kernel's step differently and it measured 9% slower on the H100 (0.58 µs a step
// against 0.53).
template <int O>
__device__ __forceinline__ float loss_and_delta(const TinyNet& net, const float (&z)[O], float (&a)[O],
                                                const float* y, float (&dz)[O]) {
    float loss = 0.0f;
    if (net.loss == LOSS_CROSS_ENTROPY) {
        float mx = -INFINITY, sum = 0.0f, ysum = 0.0f;
#pragma unroll
        for (int k = 0; k < O; k++) mx = fmaxf(mx, z[k]);
#pragma unroll
        for (int k = 0; k < O; k++) sum += expf(z[k] - mx);
        const float lse = mx + logf(sum);
#pragma unroll
        for (int k = 0; k < O; k++) {
            loss += y[k] * (lse - z[k]);
            ysum += y[k];
        }
#pragma unroll
        for (int k = 0; k < O; k++) {
            a[k] = expf(z[k] - lse);
            dz[k] = ysum * a[k] - y[k];
        }
        return loss;
    }
    const float inv_n = 1.0f / (float) O;
#pragma unroll
    for (int k = 0; k < O; k++) {
        if (net.loss == LOSS_MSE) {
            const float diff = a[k] - y[k];
            loss += diff * diff;
            dz[k] = 2.0f * diff * inv_n * activation_slope(net.output_act, z[k], a[k]);
        } else {
            loss += fmaxf(z[k], 0.0f) - z[k] * y[k] + log1pf(expf(-fabsf(z[k])));
            dz[k] = (a[k] - y[k]) * inv_n;
        }
    }
    return loss / (float) O;
}

template <int I, int H, int O>
__device__ __forceinline__ void tiny_net_epoch(TinyNet net, OptimizerArgs opt, const float* __restrict__ features,
                                               const float* __restrict__ targets, const int* __restrict__ order,
                                               int rows, float* __restrict__ params, float* __restrict__ m_state,
                                               float* __restrict__ v_state, const float* __restrict__ lr_ptr,
                                               int* __restrict__ step_count, float* __restrict__ step_loss) {
    constexpr int W1 = 0, B1 = I * H, W2 = B1 + H, B2 = W2 + O * H, P = B2 + O;
    require_activation(net.hidden_act);
    require_activation(net.output_act);
    require_loss(net.loss);
    require_optimizer(opt.kind);
    __shared__ float chunk_x[CHUNK][I], chunk_y[CHUNK][O];
    const int lane = threadIdx.x;
    float w[P], g[P], m[P], v[P];
#pragma unroll
    for (int p = 0; p < P; p++) {
        w[p] = params[p];
        m[p] = m_state[p];
        v[p] = v_state[p];
    }
    const float lr = *lr_ptr;
    int t = *step_count;

    // chunk 0 now; then, in every chunk, the rows of the next and the indexes of the one after
    float x[I] = {}, y[O] = {};
    fetch_row<I, O>(features, targets, lane < rows ? order[lane] : -1, x, y);
#pragma unroll
    for (int i = 0; i < I; i++) chunk_x[lane][i] = x[i];
#pragma unroll
    for (int k = 0; k < O; k++) chunk_y[lane][k] = y[k];
    int next_row = CHUNK + lane < rows ? order[CHUNK + lane] : -1;

    for (int c0 = 0; c0 < rows; c0 += CHUNK) {
        __syncwarp();
        fetch_row<I, O>(features, targets, next_row, x, y);
        const int ahead = c0 + 2 * CHUNK + lane;
        const int row_after = ahead < rows ? order[ahead] : -1;
        const int n = min(CHUNK, rows - c0);

        for (int s = 0; s < n; s++) {
            const float* xs = chunk_x[s];
            float hz[H], h[H], z[O], a[O], dz[O], dh[H];
#pragma unroll
            for (int j = 0; j < H; j++) {                         // hidden: z = W1·x + b1, h = act(z)
                float acc = w[B1 + j];
#pragma unroll
                for (int i = 0; i < I; i++) acc += xs[i] * w[W1 + j * I + i];
                hz[j] = acc;
                h[j] = activate(net.hidden_act, acc);
            }
#pragma unroll
            for (int k = 0; k < O; k++) {                         // output: z = W2·h + b2
                float acc = w[B2 + k];
#pragma unroll
                for (int j = 0; j < H; j++) acc += h[j] * w[W2 + k * H + j];
                z[k] = acc;
                a[k] = activate(net.output_act, acc);
            }
            const float loss = loss_and_delta<O>(net, z, a, chunk_y[s], dz);
            if (lane == 0) step_loss[c0 + s] = loss;

#pragma unroll
            for (int j = 0; j < H; j++) {                         // ∂L/∂h through W2 (before its update)
                float acc = 0.0f;
#pragma unroll
                for (int k = 0; k < O; k++) acc += dz[k] * w[W2 + k * H + j];
                dh[j] = acc * activation_slope(net.hidden_act, hz[j], h[j]);
            }
#pragma unroll
            for (int k = 0; k < O; k++) {
#pragma unroll
                for (int j = 0; j < H; j++) g[W2 + k * H + j] = dz[k] * h[j];
                g[B2 + k] = dz[k];
            }
#pragma unroll
            for (int j = 0; j < H; j++) {
#pragma unroll
                for (int i = 0; i < I; i++) g[W1 + j * I + i] = dh[j] * xs[i];
                g[B1 + j] = dh[j];
            }
            t += 1;
            const StepScalars scalars = step_scalars(opt, lr, t);
#pragma unroll
            for (int p = 0; p < P; p++) w[p] = optimizer_apply(opt, scalars, w[p], g[p], m[p], v[p]);
        }

        __syncwarp();
#pragma unroll
        for (int i = 0; i < I; i++) chunk_x[lane][i] = x[i];
#pragma unroll
        for (int k = 0; k < O; k++) chunk_y[lane][k] = y[k];
        next_row = row_after;
    }
    if (lane == 0) {
#pragma unroll
        for (int p = 0; p < P; p++) {
            params[p] = w[p];
            m_state[p] = m[p];
            v_state[p] = v[p];
        }
        *step_count = t;
    }
}

// One shape per compilation (build-ptx.sh: -DTINY_I=.. -DTINY_H=.. -DTINY_O=..), one PTX file each, so
// that a process JIT-compiles only the shape it trains (~0.2 s each) rather than all of them.
#ifndef TINY_I
#define TINY_I 2
#define TINY_H 2
#define TINY_O 1
#endif
#define TINY_ENTRY_NAME(I, H, O) tiny_net_epoch_##I##_##H##_##O
#define TINY_ENTRY(I, H, O) TINY_ENTRY_NAME(I, H, O)

extern "C" __global__ void __launch_bounds__(CHUNK) TINY_ENTRY(TINY_I, TINY_H, TINY_O)(
        TinyNet net, OptimizerArgs opt, const float* __restrict__ features, const float* __restrict__ targets,
        const int* __restrict__ order, int rows, float* __restrict__ params, float* __restrict__ m,
        float* __restrict__ v, const float* __restrict__ lr, int* __restrict__ step_count,
        float* __restrict__ step_loss) {
    tiny_net_epoch<TINY_I, TINY_H, TINY_O>(net, opt, features, targets, order, rows, params, m, v, lr, step_count,
                                           step_loss);
}
