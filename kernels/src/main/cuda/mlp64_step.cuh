// The training step both mlp64 kernels share, apart from how a matrix product is computed: a
// Products policy (mlp64_step.cu: float32 on the CUDA cores; mlp64_tf32_step.cu: TF32 on tensor
// cores) supplies the products and the rounding of stored operands.
//
// The step: the gradient of one training step of a narrow MLP (1 ≤ NH ≤ 4 hidden layers of width
// 64, input ≤ 64, output ≤ 16, MSE or BCE) in one launch. For a large batch of narrow layers the
// general path is memory-bound: every layer's activations make round trips through global memory
// between a cuBLAS product and its elementwise kernel. Persistent blocks (one per SM) keep all
// weights in shared memory and, for each tile of 64 rows, every layer's activations: the forward
// pass, the loss and the backward pass of a tile never leave the SM. Each block adds its tiles'
// weight and bias gradients in registers and writes them once, as one row of grad_partials
// [gridDim.x, P]; column_sums then adds the rows in a fixed order (deterministic), loss_finalize
// the loss partials, optimizer_update makes the step.
//
// Same math as the general path (gather_rows … activation_backward): z = a·Wᵀ + b, a' = act(z),
// MSE dz = 2(a − y)/n · act'(z), BCE dz = (σ(z) − y)/n with n = rows · out, dW = dzᵀ·a, db = Σ dz,
// ∂L/∂a = dz·W. The activation derivative is taken from a = act(z) alone (z > 0 ⟺ a > 0 for
// ReLU and leaky ReLU). Parameters in the flat layout (weights [out, in] row-major, then biases).
// The three products of a layer (M×K times K×N):
//   forward   z[r][c]  = Σ_k a[r][k]·W[c][k]
//   ∂L/∂a     g[r][k]  = Σ_c d[r][c]·W[c][k] = Σ_c d[r][c]·Wt[k][c]
//   ∂L/∂W     dW[c][k] = Σ_r d[r][c]·a[r][k]
// so each matrix is read both along its rows and down its columns. Stored [rows][64] without
// padding, element (r, c) at r·64 + (c ^ swz(r)): a warp's loads of 8 rows × 4 columns or of
// 4 rows × 8 columns fall on 32 distinct banks (swz(r) spreads rows over bits 2–4 of the column),
// and a row's aligned groups of four floats stay together for vector loads.
//
// Shared memory, in floats: W[0..NH) [64][64] (layer 0 zero-padded to 64 inputs), Wt[1..NH)
// [64][64] (the transposes, for ∂L/∂a), Wo [16][64] (zero rows past the output width), A[0..NH]
// [64][64] (the input tile, then each hidden layer's activations, overwritten by its deltas in the
// backward pass), D [64][32] (the output layer's deltas, columns < 16 used), biases (NH·64 + 16),
// 64 row indexes, 8 floats for the loss. Launch: grid ≤ number of SMs, 256 threads, dynamic shared
// memory of Mlp64Plan.sharedFloats.
#pragma once
#include "loss.cuh"
#include "mlp64.cuh"

#define THREADS MLP64_THREADS
#define TILE 64
#define WIDTH MLP64_WIDTH
#define OUT_MAX 16
#define DS 32

__device__ __forceinline__ int swz(int r) {
    return ((r & 3) << 3) | (r & 4);
}

// index of element (r, c) of a swizzled matrix with row stride rs (32 or 64)
__device__ __forceinline__ int at(int rs, int r, int c) {
    return r * rs + (c ^ swz(r));
}

// The 64×64 results of a tile's forward and ∂L/∂a products (both policies place them as the
// tensor cores' accumulators do): warp w takes rows 16·(w & 3) and columns 32·(w >> 2); lane
// (g, q) = (lane / 4, lane % 4) holds rows m0 + g + 8h, columns n0 + 8j + 2q + e in acc[j][2h + e].
struct WarpTile {
    int m0, n0, g, q, lane;
    __device__ WarpTile(int t) : m0(16 * ((t >> 5) & 3)), n0(32 * (t >> 7)), g((t & 31) >> 2), q(t & 3), lane(t & 31) {}
    __device__ int row(int h) const { return m0 + g + 8 * h; }
    __device__ int col(int j) const { return n0 + 8 * j + 2 * q; }
};

// Products policy (see mlp64_step.cu and mlp64_tf32_step.cu):
//   round(x)                                  a product operand as stored (TF32: rounded to nearest)
//   forward<ROUND>(acc, X, B, w)              acc += X·Bᵀ, X [64][64] as [r][k], B [n][k]; ROUND: X
//                                             holds float32 activations still to be rounded
//   output_forward<ROUND>(z, X, Wo, m0, n0, w)   z += the 16×8 block of X·Woᵀ at (m0, n0), laid out
//                                             as a 16×8 block of acc (rows m0 + g + 8h, columns n0 + 2q + e)
//   output_backward(acc, D, Wo, w)            acc += D·Wo over the output's 16 columns
//   weight_gradient<ROUND>(dw, Dl, X, w)      dw += Dlᵀ·X for the warp's 16 × 32 block at (m0, n0)
//   weight_at(w, j, i, c, k)                  which (c, k) dw[j][i] holds
//   output_weight_gradient<ROUND>(dwo, D, X, warp, w)   dwo += the 16 × 8 block of Dᵀ·X at (0, 8·warp)
//     with dwo[0][i] at c = g + 8(i / 2), k = 8·warp + 2q + i % 2
// The deltas of a hidden layer from ∂L/∂a (acc) and its activations in X, written over X (rounded:
// from here on they are only product operands); db adds them up per column. The caller has
// synchronised: no warp still reads X.
template <class P, bool PWL>
__device__ __forceinline__ void store_deltas(const float (&acc)[4][4], float* X, const HiddenActivation& act,
                                             float (&db)[4][2], const WarpTile& w) {
#pragma unroll
    for (int j = 0; j < 4; j++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            float2* p = reinterpret_cast<float2*>(X + at(WIDTH, w.row(h), w.col(j)));
            const float2 a = *p;
            const float d0 = acc[j][2 * h] * act.template slope<PWL>(a.x);
            const float d1 = acc[j][2 * h + 1] * act.template slope<PWL>(a.y);
            db[j][0] += d0;
            db[j][1] += d1;
            *p = make_float2(P::round(d0), P::round(d1));
        }
}

// PWL: the hidden activation is piecewise linear (identity, ReLU, leaky ReLU), computed as a select;
// its derivative depends on the sign of its value alone, which rounding keeps, so activations are
// stored as product operands (Products::round) and need no rounding as they are loaded. Otherwise they are
// stored in float32, since the derivative is taken from them, and rounded as they are loaded.
template <class Products, int NH, bool ROUNDED_ACT>
__device__ __forceinline__ void mlp64_tile_step(const Mlp64& net, const float* __restrict__ features,
                                                const float* __restrict__ targets, const int* __restrict__ order,
                                                const int* __restrict__ step_index, int stride, int rows,
                                                const float* __restrict__ params, float* __restrict__ grad_partials,
                                                float* __restrict__ loss_partials) {
    extern __shared__ float4 shared4[];
    float* sh = reinterpret_cast<float*>(shared4);
    float *W[NH], *Wt[NH], *A[NH + 1], *bias[NH];
    float* next = sh;
#pragma unroll
    for (int l = 0; l < NH; l++, next += WIDTH * WIDTH) W[l] = next;
    Wt[0] = nullptr;
#pragma unroll
    for (int l = 1; l < NH; l++, next += WIDTH * WIDTH) Wt[l] = next;
    float* Wo = next;
    next += OUT_MAX * WIDTH;
#pragma unroll
    for (int l = 0; l <= NH; l++, next += TILE * WIDTH) A[l] = next;
    float* D = next;
    next += TILE * DS;
#pragma unroll
    for (int l = 0; l < NH; l++, next += WIDTH) bias[l] = next;
    float* bo = next;
    next += OUT_MAX;
    int* row_index = reinterpret_cast<int*>(next);
    next += TILE;
    float* red = next;

    const int t = threadIdx.x, in = net.in, out = net.out;
    int woff[NH + 1], boff[NH + 1];
    const int P = mlp64_layout<NH>(net, woff, boff);

#pragma unroll
    for (int l = 0; l < NH; l++) {
        const int width_in = l == 0 ? in : WIDTH;
        for (int e = t; e < WIDTH * WIDTH; e += THREADS) {
            const int c = e >> 6, k = e & 63;
            const float w = k < width_in ? Products::round(params[woff[l] + c * width_in + k]) : 0.0f;
            W[l][at(WIDTH, c, k)] = w;
            if (l > 0) Wt[l][at(WIDTH, k, c)] = w;
        }
        for (int c = t; c < WIDTH; c += THREADS) bias[l][c] = params[boff[l] + c];
    }
    for (int e = t; e < OUT_MAX * WIDTH; e += THREADS) {
        const int c = e >> 6, k = e & 63;
        Wo[at(WIDTH, c, k)] = c < out ? Products::round(params[woff[NH] + c * WIDTH + k]) : 0.0f;
    }
    if (t < OUT_MAX) bo[t] = t < out ? params[boff[NH] + t] : 0.0f;

    const WarpTile wt(t);
    const HiddenActivation hidden(net.hidden_act);
    const int warp = t >> 5, g = wt.g, q = wt.q;
    // the output layer's tiles: warp w takes rows 16·(w >> 1), columns 8·(w & 1)
    const int om0 = 16 * (warp >> 1), on0 = 8 * (warp & 1);
    float dw[NH][4][4] = {}, db[NH][4][2] = {}, dwo[1][4] = {}, dbo[2] = {}, loss = 0.0f;
    const int first = *step_index * stride, tiles = (rows + TILE - 1) / TILE;
    const float inv_n = 1.0f / ((float) rows * out);

    // The next tile's rows are fetched while this one computes: their indexes into row_index at the
    // start of the tile, their values once the first layer is done. Thread t holds input column
    // t % 64 of rows t/64 + 4m, and the targets of its output-layer accumulator positions.
    const int xk = t & 63;
    float xv[TILE * WIDTH / THREADS], yv[4], y[4];
    auto fetch_indexes = [&](int tile) {
        if (t < TILE) {
            const int r = tile * TILE + t;
            row_index[t] = tile < tiles && r < rows ? order[first + r] : -1;
        }
    };
    auto fetch_values = [&]() {
#pragma unroll
        for (int m = 0; m < TILE * WIDTH / THREADS; m++) {
            const int row = row_index[(t >> 6) + 4 * m];
            xv[m] = row >= 0 && xk < in ? features[(long) row * in + xk] : 0.0f;
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int row = row_index[om0 + g + 8 * (i >> 1)], c = on0 + 2 * q + (i & 1);
            yv[i] = row >= 0 && c < out ? targets[(long) row * out + c] : 0.0f;
        }
    };
    fetch_indexes(blockIdx.x);
    __syncthreads();
    fetch_values();

    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        const int r0 = tile * TILE;
        __syncthreads();                                           // the last tile is done with A, D, row_index
#pragma unroll
        for (int m = 0; m < TILE * WIDTH / THREADS; m++) A[0][at(WIDTH, (t >> 6) + 4 * m, xk)] = Products::round(xv[m]);
#pragma unroll
        for (int i = 0; i < 4; i++) y[i] = yv[i];
        fetch_indexes(tile + gridDim.x);
        __syncthreads();

#pragma unroll
        for (int l = 0; l < NH; l++) {                             // hidden layers: a = act(a·Wᵀ + b)
            float acc[4][4];
#pragma unroll
            for (int j = 0; j < 4; j++) {
                const int c = wt.col(j);
                acc[j][0] = acc[j][2] = bias[l][c];
                acc[j][1] = acc[j][3] = bias[l][c + 1];
            }
            if (l == 0) Products::template forward<false>(acc, A[0], W[0], wt);
            else Products::template forward<!ROUNDED_ACT>(acc, A[l], W[l], wt);
#pragma unroll
            for (int j = 0; j < 4; j++)
#pragma unroll
                for (int h = 0; h < 2; h++) {
                    float2 a = make_float2(hidden.value<ROUNDED_ACT>(acc[j][2 * h]), hidden.value<ROUNDED_ACT>(acc[j][2 * h + 1]));
                    if (ROUNDED_ACT) a = make_float2(Products::round(a.x), Products::round(a.y));
                    *reinterpret_cast<float2*>(A[l + 1] + at(WIDTH, wt.row(h), wt.col(j))) = a;
                }
            if (l == 0) fetch_values();
            __syncthreads();
        }
        {                                                          // output layer, loss, its deltas
            float z[4] = {bo[on0 + 2 * q], bo[on0 + 2 * q + 1], bo[on0 + 2 * q], bo[on0 + 2 * q + 1]};
            Products::template output_forward<!ROUNDED_ACT>(z, A[NH], Wo, om0, on0, wt);
#pragma unroll
            for (int h = 0; h < 2; h++) {
                const int r = om0 + g + 8 * h;
                float d[2];
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    const int c = on0 + 2 * q + e;
                    const float zz = z[2 * h + e], a = activate(net.output_act, zz);
                    d[e] = 0.0f;
                    if (r0 + r < rows && c < out) loss += elementwise_loss(net.loss, net.output_act, zz, a, y[2 * h + e], inv_n, d[e]);
                    dbo[e] += d[e];
                }
                *reinterpret_cast<float2*>(D + at(DS, r, on0 + 2 * q)) = make_float2(Products::round(d[0]), Products::round(d[1]));
            }
        }
        __syncthreads();
        {                                                          // output layer's dW, and the deltas below it
            Products::template output_weight_gradient<!ROUNDED_ACT>(dwo, D, A[NH], warp, wt);
            float acc[4][4] = {};
            Products::output_backward(acc, D, Wo, wt);
            __syncthreads();
            store_deltas<Products, ROUNDED_ACT>(acc, A[NH], hidden, db[NH - 1], wt);
        }
        __syncthreads();
#pragma unroll
        for (int l = NH - 1; l >= 0; l--) {                        // hidden layer l: its dW, and the deltas below it
            Products::template weight_gradient<!ROUNDED_ACT>(dw[l], A[l + 1], A[l], wt);
            if (l > 0) {
                float acc[4][4] = {};
                Products::template forward<false>(acc, A[l + 1], Wt[l], wt);
                __syncthreads();
                store_deltas<Products, ROUNDED_ACT>(acc, A[l], hidden, db[l - 1], wt);
                __syncthreads();
            }
        }
    }

    // Weight gradients: each element of dW is held by one lane. Bias gradients: a sum over the
    // lanes of equal q (shuffles), then over the four warps of equal columns (in shared memory,
    // in a fixed order).
    float* gp = grad_partials + (long) blockIdx.x * P;
#pragma unroll
    for (int l = 0; l < NH; l++) {
        const int width_in = l == 0 ? in : WIDTH;
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int i = 0; i < 4; i++) {
                int c, k;
                Products::weight_at(wt, j, i, c, k);
                if (k < width_in) gp[woff[l] + c * width_in + k] = dw[l][j][i];
            }
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int c = g + 8 * (i >> 1), k = 8 * warp + 2 * q + (i & 1);
        if (c < out) gp[woff[NH] + c * WIDTH + k] = dwo[0][i];
    }
    const int BN = NH * WIDTH + OUT_MAX;                           // bias sums: [4 row blocks][BN] over A[0]
    float* bsum = A[0];
    __syncthreads();
#pragma unroll
    for (int l = 0; l < NH; l++)
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int e = 0; e < 2; e++) {
                float v = db[l][j][e];
                for (int offset = 4; offset < 32; offset <<= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
                if (g == 0) bsum[(wt.m0 / 16) * BN + l * WIDTH + wt.col(j) + e] = v;
            }
#pragma unroll
    for (int e = 0; e < 2; e++) {
        float v = dbo[e];
        for (int offset = 4; offset < 32; offset <<= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
        if (g == 0) bsum[(om0 / 16) * BN + NH * WIDTH + on0 + 2 * q + e] = v;
    }
    warp_loss_to_shared(loss, red);
    __syncthreads();
    for (int i = t; i < NH * WIDTH + out; i += THREADS) {
        const float s = bsum[i] + bsum[BN + i] + bsum[2 * BN + i] + bsum[3 * BN + i];
        const int l = i / WIDTH;
        gp[l < NH ? boff[l] + i % WIDTH : boff[NH] + i - NH * WIDTH] = s;
    }
    block_loss_out(red, loss_partials);
}

// The extern "C" entries of the step with a Products policy: PREFIX_NH for any hidden activation
// (NH = 1 … 4 hidden layers), PREFIX_pwl_NH for piecewise-linear ones (identity, ReLU, leaky ReLU).
#define MLP64_ENTRY(NAME, PRODUCTS, NH, PWL)                                                                           \
    extern "C" __global__ void __launch_bounds__(MLP64_THREADS, 1) NAME(                                               \
            Mlp64 net, const float* __restrict__ features, const float* __restrict__ targets,                          \
            const int* __restrict__ order, const int* __restrict__ step_index, int stride, int rows,                   \
            const float* __restrict__ params, float* __restrict__ grad_partials, float* __restrict__ loss_partials) {  \
        require_activation(net.hidden_act);                                                                            \
        require_activation(net.output_act);                                                                            \
        require_loss(net.loss);                                                                                        \
        mlp64_tile_step<PRODUCTS, NH, PWL>(net, features, targets, order, step_index, stride, rows, params,            \
                                           grad_partials, loss_partials);                                              \
    }
#define MLP64_ENTRIES(PREFIX, PRODUCTS)                                                                                \
    MLP64_ENTRY(PREFIX##_1, PRODUCTS, 1, false)                                                                        \
    MLP64_ENTRY(PREFIX##_2, PRODUCTS, 2, false)                                                                        \
    MLP64_ENTRY(PREFIX##_3, PRODUCTS, 3, false)                                                                        \
    MLP64_ENTRY(PREFIX##_4, PRODUCTS, 4, false)                                                                        \
    MLP64_ENTRY(PREFIX##_pwl_1, PRODUCTS, 1, true)                                                                     \
    MLP64_ENTRY(PREFIX##_pwl_2, PRODUCTS, 2, true)                                                                     \
    MLP64_ENTRY(PREFIX##_pwl_3, PRODUCTS, 3, true)                                                                     \
    MLP64_ENTRY(PREFIX##_pwl_4, PRODUCTS, 4, true)
