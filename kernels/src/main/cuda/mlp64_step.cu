#include "activation.cuh"
// The gradient of one training step of a narrow MLP in one launch: NH hidden layers of width 64
// (1 ≤ NH ≤ 4), input width ≤ 64, output width ≤ 16, MSE or BCE. For a large batch of narrow
// layers the general path is memory-bound: every layer's activations make round trips through
// global memory between a cuBLAS product and its elementwise kernel. Here each block keeps all
// weights in shared memory, and for each tile of 32 rows keeps the activations of every layer
// there too: forward, loss, and backward through all layers without leaving the SM. Blocks are
// persistent (one per SM); each adds its tiles' weight and bias gradients in registers and writes
// them once, as one row of grad_partials [gridDim.x, P]; column_sums then adds the rows in a fixed
// order (deterministic), loss_finalize the loss partials, optimizer_update makes the step.
//
// Same math as the general path (gather_rows … activation_backward): z = a·Wᵀ + b, a' = act(z),
// MSE dz = 2(a − y)/n · act'(z), BCE dz = (σ(z) − y)/n with n = rows · out, dW = dzᵀ·a, db = Σ dz,
// ∂L/∂a = dz·W. The activation derivative is taken from a = act(z) alone (z > 0 ⟺ a > 0 for
// ReLU and leaky ReLU). Parameters in the flat layout (weights [out, in] row-major, then biases).
//
// Shared memory, row strides chosen so that a warp's float4 reads of 16 consecutive rows hit
// distinct banks: 64-wide matrices use stride S = 68 floats, 16-wide ones SO = 20.
//   W[l] [64][S] and, for l ≥ 1, Wt[l] [64][S] (its transpose, for ∂L/∂a); Wo [16][S], Wot [64][SO];
//   biases; A[0..NH] [32][S] (input, then each hidden layer's a, overwritten by its ∂L/∂z in the
//   backward pass); D [32][SO] (the output's ∂L/∂z); Y [32][16]; 8 floats for the loss.
// Launch: grid ≤ number of SMs, 256 threads, mlp64_shared_floats(NH) · 4 bytes of dynamic shared memory.
#define THREADS 256
#define TILE 32
#define WIDTH 64
#define OUT_MAX 16
#define S 68
#define SO 20

struct Mlp64 {
    int in;            // input width, ≤ 64
    int out;           // output width, ≤ 16
    int hidden_act;
    int output_act;
    int loss;          // 0 MSE, 1 BCE
};

__device__ __forceinline__ float4 load4(const float* p) {
    return *reinterpret_cast<const float4*>(p);
}

__device__ __forceinline__ float dot4(float4 a, float4 b, float acc) {
    acc = fmaf(a.x, b.x, acc);
    acc = fmaf(a.y, b.y, acc);
    acc = fmaf(a.z, b.z, acc);
    return fmaf(a.w, b.w, acc);
}

// out[r][c] = act(b[c] + Σ_k in[r][k]·W[c][k]) for the 32×64 tile; thread: rows 2rg, 2rg+1, columns cg + 16j
__device__ __forceinline__ void forward_hidden(const float* in, const float* W, const float* b, float* out, int act,
                                               int t) {
    const int rg = t >> 4, cg = t & 15;
    float acc[2][4];
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = b[cg + 16 * j];
#pragma unroll 4
    for (int k = 0; k < WIDTH; k += 4) {
        const float4 a0 = load4(in + (2 * rg) * S + k), a1 = load4(in + (2 * rg + 1) * S + k);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const float4 w = load4(W + (cg + 16 * j) * S + k);
            acc[0][j] = dot4(a0, w, acc[0][j]);
            acc[1][j] = dot4(a1, w, acc[1][j]);
        }
    }
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) out[(2 * rg + i) * S + cg + 16 * j] = activate(act, acc[i][j]);
}

// a[r][k] ← (Σ_c d[r][c]·W[c][k]) · act'(a[r][k]) in place, for c < C; Wt is W transposed, row stride ws,
// d has row stride ds
template <int C>
__device__ __forceinline__ void backward_delta(const float* d, int ds, const float* Wt, int ws, float* a, int act,
                                               int t) {
    const int rg = t >> 4, kg = t & 15;
    float acc[2][4] = {};
#pragma unroll 4
    for (int c = 0; c < C; c += 4) {
        const float4 d0 = load4(d + (2 * rg) * ds + c), d1 = load4(d + (2 * rg + 1) * ds + c);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const float4 w = load4(Wt + (kg + 16 * j) * ws + c);
            acc[0][j] = dot4(d0, w, acc[0][j]);
            acc[1][j] = dot4(d1, w, acc[1][j]);
        }
    }
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) {
            float* x = a + (2 * rg + i) * S + kg + 16 * j;
            *x = acc[i][j] * activation_slope(act, *x, *x);
        }
}

// dW[c0+cc][k0+kk] += Σ_r d[r][c0+cc]·a[r][k0+kk], db[c0+cc] += Σ_r d[r][c0+cc]; c0 = 4(t/16), k0 = 4(t%16)
__device__ __forceinline__ void accumulate_gradient(const float* d, const float* a, float (&dw)[4][4], float (&db)[4],
                                                    int t) {
    const int c0 = (t >> 4) * 4, k0 = (t & 15) * 4;
#pragma unroll 4
    for (int r = 0; r < TILE; r++) {
        const float4 dv = load4(d + r * S + c0), av = load4(a + r * S + k0);
        const float dr[4] = {dv.x, dv.y, dv.z, dv.w}, ar[4] = {av.x, av.y, av.z, av.w};
#pragma unroll
        for (int cc = 0; cc < 4; cc++) {
            db[cc] += dr[cc];
#pragma unroll
            for (int kk = 0; kk < 4; kk++) dw[cc][kk] = fmaf(dr[cc], ar[kk], dw[cc][kk]);
        }
    }
}

// shared-memory floats the kernel needs for NH hidden layers
__host__ __device__ constexpr int mlp64_shared_floats(int nh) {
    return nh * WIDTH * S + (nh - 1) * WIDTH * S + OUT_MAX * S + WIDTH * SO + nh * WIDTH + OUT_MAX
           + (nh + 1) * TILE * S + TILE * SO + TILE * OUT_MAX + THREADS / 32;
}

template <int NH>
__device__ __forceinline__ void mlp64_step(const Mlp64& net, const float* __restrict__ features,
                                           const float* __restrict__ targets, const int* __restrict__ order,
                                           const int* __restrict__ step_index, int stride, int rows,
                                           const float* __restrict__ params, float* __restrict__ grad_partials,
                                           float* __restrict__ loss_partials) {
    extern __shared__ float4 shared4[];
    float* sh = reinterpret_cast<float*>(shared4);
    float *W[NH], *Wt[NH], *A[NH + 1], *bias[NH];
    float* next = sh;
    for (int l = 0; l < NH; l++, next += WIDTH * S) W[l] = next;
    Wt[0] = nullptr;
    for (int l = 1; l < NH; l++, next += WIDTH * S) Wt[l] = next;
    float* Wo = next;
    next += OUT_MAX * S;
    float* Wot = next;
    next += WIDTH * SO;
    for (int l = 0; l < NH; l++, next += WIDTH) bias[l] = next;
    float* bo = next;
    next += OUT_MAX;
    for (int l = 0; l <= NH; l++, next += TILE * S) A[l] = next;
    float* D = next;
    next += TILE * SO;
    float* Y = next;
    next += TILE * OUT_MAX;
    float* red = next;

    const int t = threadIdx.x, in = net.in, out = net.out;
    // offsets of each layer's weights and biases in the flat layout
    int woff[NH + 1], boff[NH + 1];
    woff[0] = 0;
    boff[0] = WIDTH * in;
    for (int l = 1; l <= NH; l++) {
        woff[l] = boff[l - 1] + WIDTH;
        boff[l] = woff[l] + (l < NH ? WIDTH * WIDTH : out * WIDTH);
    }
    const int P = boff[NH] + out;

    for (int l = 0; l < NH; l++) {
        const int width_in = l == 0 ? in : WIDTH;
        for (int e = t; e < WIDTH * WIDTH; e += THREADS) {
            const int c = e >> 6, k = e & 63;
            const float w = k < width_in ? params[woff[l] + c * width_in + k] : 0.0f;
            W[l][c * S + k] = w;
            if (l > 0) Wt[l][k * S + c] = w;
        }
        for (int c = t; c < WIDTH; c += THREADS) bias[l][c] = params[boff[l] + c];
    }
    for (int e = t; e < OUT_MAX * WIDTH; e += THREADS) {
        const int c = e >> 6, k = e & 63;
        const float w = c < out ? params[woff[NH] + c * WIDTH + k] : 0.0f;
        Wo[c * S + k] = w;
        Wot[k * SO + c] = w;
    }
    if (t < OUT_MAX) bo[t] = t < out ? params[boff[NH] + t] : 0.0f;

    float dw[NH][4][4] = {}, db[NH][4] = {}, dwo[4] = {}, dbo = 0.0f, loss = 0.0f;
    const int first = *step_index * stride, tiles = (rows + TILE - 1) / TILE;
    const float inv_n = 1.0f / ((float) rows * out);

    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        const int r0 = tile * TILE;
        __syncthreads();                                           // the last tile is done with A, D, Y
        for (int e = t; e < TILE * WIDTH; e += THREADS) {
            const int r = e >> 6, k = e & 63;
            A[0][r * S + k] = r0 + r < rows && k < in ? features[(long) order[first + r0 + r] * in + k] : 0.0f;
        }
        for (int e = t; e < TILE * OUT_MAX; e += THREADS) {
            const int r = e >> 4, c = e & 15;
            Y[e] = r0 + r < rows && c < out ? targets[(long) order[first + r0 + r] * out + c] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int l = 0; l < NH; l++) {
            forward_hidden(A[l], W[l], bias[l], A[l + 1], net.hidden_act, t);
            __syncthreads();
        }
        {                                                          // output layer, loss, ∂L/∂z
            const int r = t >> 3, cq = t & 7;
            const bool row_in = r0 + r < rows;
#pragma unroll
            for (int j = 0; j < 2; j++) {
                const int c = cq + 8 * j;
                float z = bo[c];
#pragma unroll 4
                for (int k = 0; k < WIDTH; k += 4) z = dot4(load4(A[NH] + r * S + k), load4(Wo + c * S + k), z);
                const float a = activate(net.output_act, z), y = Y[r * OUT_MAX + c];
                float dz = 0.0f;
                if (row_in && c < out) {
                    if (net.loss == 0) {
                        const float diff = a - y;
                        loss += diff * diff;
                        dz = 2.0f * diff * inv_n * activation_slope(net.output_act, z, a);
                    } else {
                        loss += fmaxf(z, 0.0f) - z * y + log1pf(expf(-fabsf(z)));
                        dz = (a - y) * inv_n;
                    }
                }
                D[r * SO + c] = dz;
            }
        }
        __syncthreads();
        {                                                          // output layer's dW, db
            const int c = t >> 4, k0 = (t & 15) * 4;
#pragma unroll 4
            for (int r = 0; r < TILE; r++) {
                const float d = D[r * SO + c];
                const float4 av = load4(A[NH] + r * S + k0);
                dwo[0] = fmaf(d, av.x, dwo[0]);
                dwo[1] = fmaf(d, av.y, dwo[1]);
                dwo[2] = fmaf(d, av.z, dwo[2]);
                dwo[3] = fmaf(d, av.w, dwo[3]);
                dbo += d;
            }
        }
        __syncthreads();
        backward_delta<OUT_MAX>(D, SO, Wot, SO, A[NH], net.hidden_act, t);
        __syncthreads();
#pragma unroll
        for (int l = NH - 1; l >= 0; l--) {
            accumulate_gradient(A[l + 1], A[l], dw[l], db[l], t);
            if (l > 0) {
                __syncthreads();
                backward_delta<WIDTH>(A[l + 1], S, Wt[l], S, A[l], net.hidden_act, t);
                __syncthreads();
            }
        }
    }

    float* g = grad_partials + (long) blockIdx.x * P;
    const int c0 = (t >> 4) * 4, k0 = (t & 15) * 4;
#pragma unroll
    for (int l = 0; l < NH; l++) {
        const int width_in = l == 0 ? in : WIDTH;
#pragma unroll
        for (int cc = 0; cc < 4; cc++) {
#pragma unroll
            for (int kk = 0; kk < 4; kk++) {
                if (k0 + kk < width_in) g[woff[l] + (c0 + cc) * width_in + k0 + kk] = dw[l][cc][kk];
            }
            if (k0 == 0) g[boff[l] + c0 + cc] = db[l][cc];
        }
    }
    const int co = t >> 4;
    if (co < out) {
#pragma unroll
        for (int kk = 0; kk < 4; kk++) g[woff[NH] + co * WIDTH + k0 + kk] = dwo[kk];
        if (k0 == 0) g[boff[NH] + co] = dbo;
    }
    for (int offset = 16; offset > 0; offset >>= 1) loss += __shfl_down_sync(0xffffffffu, loss, offset);
    if ((t & 31) == 0) red[t >> 5] = loss;
    __syncthreads();
    if (t == 0) {
        float total = 0.0f;
        for (int w = 0; w < THREADS / 32; w++) total += red[w];
        loss_partials[blockIdx.x] = total;
    }
}

#define MLP64_STEP(NH)                                                                                                \
    extern "C" __global__ void __launch_bounds__(THREADS, 1) mlp64_step_##NH(                                         \
            Mlp64 net, const float* __restrict__ features, const float* __restrict__ targets,                        \
            const int* __restrict__ order, const int* __restrict__ step_index, int stride, int rows,                 \
            const float* __restrict__ params, float* __restrict__ grad_partials, float* __restrict__ loss_partials) { \
        mlp64_step<NH>(net, features, targets, order, step_index, stride, rows, params, grad_partials,             \
                       loss_partials);                                                                               \
    }
MLP64_STEP(1)
MLP64_STEP(2)
MLP64_STEP(3)
MLP64_STEP(4)
