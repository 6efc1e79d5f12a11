// target: compute_80 (mma.sync with TF32 operands and cvt.rna.tf32 need Ampere or newer)
#include "loss.cuh"
#include "mlp64.cuh"
#include <stdint.h>
// mlp64_step.cu's training-step gradient for the TF32 math mode, on tensor cores: the same
// networks (1 ≤ NH ≤ 4 hidden layers of width 64, input ≤ 64, output ≤ 16, MSE or BCE), the same
// outputs (one row of grad_partials and one loss partial per block, added by column_sums and
// loss_finalize), the same math; every matrix product is warp-level mma.sync m16n8k8 with TF32
// operands and float32 accumulation, as cuBLAS does in TF32 mode.
//
// Persistent blocks keep all weights in shared memory and, for each tile of 64 rows, every layer's
// activations; the forward pass, the loss and the backward pass of a tile never leave the SM. The
// three products of a layer, in mma terms (M×K times K×N):
//   forward   z[r][c]  = Σ_k a[r][k]·W[c][k]        A = activations, B = Wᵀ
//   ∂L/∂a     g[r][k]  = Σ_c d[r][c]·W[c][k]        A = deltas,      B = W
//   ∂L/∂W     dW[c][k] = Σ_r d[r][c]·a[r][k]        A = deltasᵀ,     B = activations
// so each matrix is read both along its rows and down its columns. Stored [rows][64] without
// padding, element (r, c) at r·64 + (c ^ swz(r)): a warp's fragment loads touch 8 rows × 4
// columns (row-wise reads) or 4 rows × 8 columns (column-wise reads), and this swizzle puts the
// 32 lanes on 32 distinct banks in both cases (swz(r) spreads rows over bits 2–4 of the column).
//
// Operands are rounded to TF32 (to nearest) once: weights when loaded, inputs and deltas when
// stored. Activations are stored in float32, since the activation derivative is taken from them,
// and rounded as each fragment is loaded; for identity, ReLU and leaky ReLU, whose derivative is
// read from the sign alone, they are stored rounded (the _pwl kernels).
//
// Row-wise fragments (the forward and ∂L/∂a products) are loaded with ldmatrix, four 8×4 blocks
// in one instruction; ∂L/∂a reads each weight matrix in its transposed copy Wt so that it is a
// row-wise product too. ∂L/∂W's fragments run down columns, which ldmatrix cannot transpose for
// 32-bit elements: they are loaded one element at a time.
//
// Shared memory, in floats: W[0..NH) [64][64] (layer 0 zero-padded to 64 inputs), Wt[1..NH)
// [64][64], Wo [16][64] (zero rows past the output width), biases (NH·64 + 16), A[0..NH] [64][64] (the input tile, then
// each hidden layer's activations, overwritten by its deltas in the backward pass), D [64][32]
// (the output layer's deltas, columns < 16 used), 64 row indexes, 8 floats for the loss.
// Launch: grid ≤ number of SMs, 256 threads, dynamic shared memory of Mlp64Plan.sharedFloats.
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

__device__ __forceinline__ float round_tf32(float x) {
    uint32_t u;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(u) : "f"(x));
    return __uint_as_float(u);
}

__device__ __forceinline__ uint32_t bits(float x) {
    return __float_as_uint(x);
}

// d += a·b for a 16×8 tile, k = 8
__device__ __forceinline__ void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Fragments of mma.m16n8k8 (lane = 4g + q): A holds (g, q), (g+8, q), (g, q+4), (g+8, q+4) of its
// 16×8 tile, B holds (q, g), (q+4, g) of its 8×8 tile, the accumulator (g, 2q), (g, 2q+1),
// (g+8, 2q), (g+8, 2q+1). ROUND says whether the stored values still need rounding to TF32.
template <bool ROUND>
__device__ __forceinline__ uint32_t operand(float x) {
    return bits(ROUND ? round_tf32(x) : x);
}

// Four 8×4 blocks of floats (rows of 16 bytes): lane l gives the address of row l % 8 of block l / 8
// and receives element (l / 4, l % 4) of each block. In the swizzled layout a row's four floats
// stay together (swz leaves the lowest two bits of the column), and a block's eight rows fall on
// distinct banks.
__device__ __forceinline__ void ldmatrix4(uint32_t (&r)[4], const float* row) {
    const uint32_t address = (uint32_t) __cvta_generic_to_shared(row);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
}

// A tile at (m0, k0) of a matrix stored as [m][k]: blocks (m0, k0), (m0 + 8, k0), (m0, k0 + 4), (m0 + 8, k0 + 4)
template <bool ROUND>
__device__ __forceinline__ void load_a(uint32_t (&a)[4], const float* M, int rs, int m0, int k0, int lane) {
    ldmatrix4(a, M + at(rs, m0 + (lane & 7) + 8 * ((lane >> 3) & 1), k0 + 4 * (lane >> 4)));
    if (ROUND) {
#pragma unroll
        for (int i = 0; i < 4; i++) a[i] = operand<true>(__uint_as_float(a[i]));
    }
}

// The B tiles at (k0, n0) and (k0, n0 + 8) of a matrix stored as [n][k]: b[0], b[1] and b[2], b[3]
__device__ __forceinline__ void load_b_pair(uint32_t (&b)[4], const float* M, int k0, int n0, int lane) {
    ldmatrix4(b, M + at(WIDTH, n0 + (lane & 7) + 8 * (lane >> 4), k0 + 4 * ((lane >> 3) & 1)));
}

// A tile at (m0, k0) of a matrix stored transposed, as [k][m]
template <bool ROUND>
__device__ __forceinline__ void load_a_transposed(uint32_t (&a)[4], const float* M, int rs, int m0, int k0, int g,
                                                  int q) {
    a[0] = operand<ROUND>(M[at(rs, k0 + q, m0 + g)]);
    a[1] = operand<ROUND>(M[at(rs, k0 + q, m0 + g + 8)]);
    a[2] = operand<ROUND>(M[at(rs, k0 + q + 4, m0 + g)]);
    a[3] = operand<ROUND>(M[at(rs, k0 + q + 4, m0 + g + 8)]);
}

// B tile at (k0, n0) of a matrix stored as [n][k] (a weight matrix, for the forward product)
__device__ __forceinline__ void load_b(uint32_t& b0, uint32_t& b1, const float* M, int k0, int n0, int g, int q) {
    b0 = bits(M[at(WIDTH, n0 + g, k0 + q)]);
    b1 = bits(M[at(WIDTH, n0 + g, k0 + q + 4)]);
}

// B tile at (k0, n0) of a matrix stored as [k][n]
template <bool ROUND>
__device__ __forceinline__ void load_b_transposed(uint32_t& b0, uint32_t& b1, const float* M, int k0, int n0, int g,
                                                  int q) {
    b0 = operand<ROUND>(M[at(WIDTH, k0 + q, n0 + g)]);
    b1 = operand<ROUND>(M[at(WIDTH, k0 + q + 4, n0 + g)]);
}

// The 64×64 results of a tile's forward and ∂L/∂a products: warp w takes rows 16·(w & 3) and
// columns 32·(w >> 2), four 16×8 accumulators; lane (g, q) holds rows m0 + g + 8h, columns
// n0 + 8j + 2q + e in acc[j][2h + e].
struct WarpTile {
    int m0, n0, g, q;
    __device__ WarpTile(int t) : m0(16 * ((t >> 5) & 3)), n0(32 * (t >> 7)), g((t & 31) >> 2), q(t & 3) {}
    __device__ int row(int h) const { return m0 + g + 8 * h; }
    __device__ int col(int j) const { return n0 + 8 * j + 2 * q; }
};

// acc += X·Bᵀ: X [64][64] stored as [r][k] (float32 activations: ROUND), B [n][k]. The forward
// product (B = W; the first layer's inputs and weights are zero past the input width) and ∂L/∂a
// (X = deltas, B = Wt). Unrolled, so that every shared-memory address is a register plus a constant.
template <bool ROUND>
__device__ __forceinline__ void product_x_bt(float (&acc)[4][4], const float* X, const float* B, int lane,
                                             const WarpTile& w) {
#pragma unroll
    for (int ks = 0; ks < WIDTH / 8; ks++) {
        uint32_t a[4], b[2][4];
        load_a<ROUND>(a, X, WIDTH, w.m0, 8 * ks, lane);
        load_b_pair(b[0], B, 8 * ks, w.n0, lane);
        load_b_pair(b[1], B, 8 * ks, w.n0 + 16, lane);
#pragma unroll
        for (int j = 0; j < 4; j++) mma(acc[j], a, b[j >> 1][2 * (j & 1)], b[j >> 1][2 * (j & 1) + 1]);
    }
}

// acc += Dl·W over K8 blocks, one element at a time: Dl [64][ds] deltas (rounded), W [c][k] as [k][n]
template <int K8>
__device__ __forceinline__ void product_d_w(float (&acc)[4][4], const float* Dl, int ds, const float* W,
                                            const WarpTile& w) {
#pragma unroll
    for (int ks = 0; ks < K8; ks++) {
        uint32_t a[4];
        a[0] = bits(Dl[at(ds, w.m0 + w.g, 8 * ks + w.q)]);
        a[1] = bits(Dl[at(ds, w.m0 + w.g + 8, 8 * ks + w.q)]);
        a[2] = bits(Dl[at(ds, w.m0 + w.g, 8 * ks + w.q + 4)]);
        a[3] = bits(Dl[at(ds, w.m0 + w.g + 8, 8 * ks + w.q + 4)]);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            uint32_t b0, b1;
            load_b_transposed<false>(b0, b1, W, 8 * ks, w.n0 + 8 * j, w.g, w.q);
            mma(acc[j], a, b0, b1);
        }
    }
}

// dw += Dlᵀ·X over the tile's 64 rows, for the M16 × N8·NT block at (m0, n0): Dl [64][ds] deltas,
// X [64][64] activations (float32: ROUND) or the rounded input tile
template <int NT, bool ROUND>
__device__ __forceinline__ void product_dt_x(float (&dw)[NT][4], const float* Dl, int ds, const float* X, int m0,
                                             int n0, int g, int q) {
#pragma unroll
    for (int ks = 0; ks < TILE / 8; ks++) {
        uint32_t a[4];
        load_a_transposed<false>(a, Dl, ds, m0, 8 * ks, g, q);
#pragma unroll
        for (int j = 0; j < NT; j++) {
            uint32_t b0, b1;
            load_b_transposed<ROUND>(b0, b1, X, 8 * ks, n0 + 8 * j, g, q);
            mma(dw[j], a, b0, b1);
        }
    }
}

// The deltas of a hidden layer from ∂L/∂a (acc) and its activations in X, written over X (rounded:
// from here on they are only product operands); db adds them up per column. The caller has
// synchronised: no warp still reads X.
template <bool PWL>
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
            *p = make_float2(round_tf32(d0), round_tf32(d1));
        }
}

// ROUNDED_ACT: the hidden activation is piecewise linear (identity, ReLU, leaky ReLU): its
// derivative depends on the sign of its value alone, which rounding to TF32 keeps, so activations
// are stored rounded and no fragment needs rounding as it is loaded.
template <int NH, bool ROUNDED_ACT>
__device__ __forceinline__ void mlp64_tf32_step(const Mlp64& net, const float* __restrict__ features,
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
            const float w = k < width_in ? round_tf32(params[woff[l] + c * width_in + k]) : 0.0f;
            W[l][at(WIDTH, c, k)] = w;
            if (l > 0) Wt[l][at(WIDTH, k, c)] = w;
        }
        for (int c = t; c < WIDTH; c += THREADS) bias[l][c] = params[boff[l] + c];
    }
    for (int e = t; e < OUT_MAX * WIDTH; e += THREADS) {
        const int c = e >> 6, k = e & 63;
        Wo[at(WIDTH, c, k)] = c < out ? round_tf32(params[woff[NH] + c * WIDTH + k]) : 0.0f;
    }
    if (t < OUT_MAX) bo[t] = t < out ? params[boff[NH] + t] : 0.0f;

    const WarpTile wt(t);
    const HiddenActivation hidden(net.hidden_act);
    const int warp = t >> 5, lane = t & 31, g = wt.g, q = wt.q;
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
        for (int m = 0; m < TILE * WIDTH / THREADS; m++) A[0][at(WIDTH, (t >> 6) + 4 * m, xk)] = round_tf32(xv[m]);
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
            if (l == 0) product_x_bt<false>(acc, A[0], W[0], lane, wt);
            else product_x_bt<!ROUNDED_ACT>(acc, A[l], W[l], lane, wt);
#pragma unroll
            for (int j = 0; j < 4; j++)
#pragma unroll
                for (int h = 0; h < 2; h++) {
                    float2 a = make_float2(hidden.value<ROUNDED_ACT>(acc[j][2 * h]), hidden.value<ROUNDED_ACT>(acc[j][2 * h + 1]));
                    if (ROUNDED_ACT) a = make_float2(round_tf32(a.x), round_tf32(a.y));
                    *reinterpret_cast<float2*>(A[l + 1] + at(WIDTH, wt.row(h), wt.col(j))) = a;
                }
            if (l == 0) fetch_values();
            __syncthreads();
        }
        {                                                          // output layer, loss, its deltas
            float z[4] = {bo[on0 + 2 * q], bo[on0 + 2 * q + 1], bo[on0 + 2 * q], bo[on0 + 2 * q + 1]};
#pragma unroll
            for (int ks = 0; ks < WIDTH / 8; ks++) {
                uint32_t a[4], b0, b1;
                load_a<!ROUNDED_ACT>(a, A[NH], WIDTH, om0, 8 * ks, lane);
                load_b(b0, b1, Wo, 8 * ks, on0, g, q);
                mma(z, a, b0, b1);
            }
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
                *reinterpret_cast<float2*>(D + at(DS, r, on0 + 2 * q)) = make_float2(round_tf32(d[0]), round_tf32(d[1]));
            }
        }
        __syncthreads();
        {                                                          // output layer's dW, and the deltas below it
            product_dt_x<1, !ROUNDED_ACT>(dwo, D, DS, A[NH], 0, 8 * warp, g, q);
            float acc[4][4] = {};
            product_d_w<OUT_MAX / 8>(acc, D, DS, Wo, wt);
            __syncthreads();
            store_deltas<ROUNDED_ACT>(acc, A[NH], hidden, db[NH - 1], wt);
        }
        __syncthreads();
#pragma unroll
        for (int l = NH - 1; l >= 0; l--) {                        // hidden layer l: its dW, and the deltas below it
            product_dt_x<4, !ROUNDED_ACT>(dw[l], A[l + 1], WIDTH, A[l], wt.m0, wt.n0, g, q);
            if (l > 0) {
                float acc[4][4] = {};
                product_x_bt<false>(acc, A[l + 1], Wt[l], lane, wt);
                __syncthreads();
                store_deltas<ROUNDED_ACT>(acc, A[l], hidden, db[l - 1], wt);
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
                const int c = wt.m0 + g + 8 * (i >> 1), k = wt.col(j) + (i & 1);
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

MLP64_ENTRIES(mlp64_tf32_step, mlp64_tf32_step)
