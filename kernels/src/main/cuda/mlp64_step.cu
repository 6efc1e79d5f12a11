#include "loss.cuh"
#include "mlp64.cuh"
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
// Launch: grid ≤ number of SMs, 256 threads, the layout above in dynamic shared memory (its size in
// floats: Mlp64Plan.sharedFloats).
#define THREADS MLP64_THREADS
#define TILE 32
#define WIDTH 64
#define OUT_MAX 16
#define S 68
#define SO 20

__device__ __forceinline__ float4 load4(const float* p) {
    return *reinterpret_cast<const float4*>(p);
}

__device__ __forceinline__ float dot4(float4 a, float4 b, float acc) {
    acc = fmaf(a.x, b.x, acc);
    acc = fmaf(a.y, b.y, acc);
    acc = fmaf(a.z, b.z, acc);
    return fmaf(a.w, b.w, acc);
}

// Thread layout of the 64-wide phases: warp w takes 4 rows (or, for weight gradients, 8 output
// units), lane takes 2 columns, lane and lane + 32. A warp's float4 reads are then either one
// address for all lanes (a broadcast) or 32 distinct rows that fill every wavefront: shared
// memory, not arithmetic, is what limits these small products.

// acc[i][j] += Σ_{x < X} m[(4w + i)·ms + x] · n[(lane + 32j)·ns + x]: the tile product both passes share
template <int X>
__device__ __forceinline__ void tile_product(const float* m, int ms, const float* n, int ns, float (&acc)[4][2],
                                             int t) {
    const int w = t >> 5, lane = t & 31;
#pragma unroll 4
    for (int x = 0; x < X; x += 4) {
        const float4 n0 = load4(n + lane * ns + x), n1 = load4(n + (lane + 32) * ns + x);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const float4 mv = load4(m + (4 * w + i) * ms + x);
            acc[i][0] = dot4(mv, n0, acc[i][0]);
            acc[i][1] = dot4(mv, n1, acc[i][1]);
        }
    }
}

// out[r][c] = act(b[c] + Σ_k in[r][k]·W[c][k]) for the 32×64 tile
template <bool PWL>
__device__ __forceinline__ void forward_hidden(const float* in, const float* W, const float* b, float* out,
                                               const HiddenActivation& act,
                                               int t) {
    const int w = t >> 5, lane = t & 31;
    float acc[4][2];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) acc[i][j] = b[lane + 32 * j];
    tile_product<WIDTH>(in, S, W, S, acc, t);
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) out[(4 * w + i) * S + lane + 32 * j] = act.template value<PWL>(acc[i][j]);
}

// a[r][k] ← (Σ_c d[r][c]·W[c][k]) · act'(a[r][k]) in place, for c < C; Wt is W transposed, row stride ws,
// d has row stride ds
template <int C, bool PWL>
__device__ __forceinline__ void backward_delta(const float* d, int ds, const float* Wt, int ws, float* a,
                                               const HiddenActivation& act,
                                               int t) {
    const int w = t >> 5, lane = t & 31;
    float acc[4][2] = {};
    tile_product<C>(d, ds, Wt, ws, acc, t);
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) {
            float* x = a + (4 * w + i) * S + lane + 32 * j;
            *x = acc[i][j] * act.template slope<PWL>(*x);
        }
}

// dW[8w+cc][lane+32j] += Σ_r d[r][8w+cc]·a[r][lane+32j], db[8w+cc] += Σ_r d[r][8w+cc]
__device__ __forceinline__ void accumulate_gradient(const float* d, const float* a, float (&dw)[8][2], float (&db)[8],
                                                    int t) {
    const int w = t >> 5, lane = t & 31;
#pragma unroll 4
    for (int r = 0; r < TILE; r++) {
        const float4 d0 = load4(d + r * S + 8 * w), d1 = load4(d + r * S + 8 * w + 4);
        const float dr[8] = {d0.x, d0.y, d0.z, d0.w, d1.x, d1.y, d1.z, d1.w};
        const float a0 = a[r * S + lane], a1 = a[r * S + lane + 32];
#pragma unroll
        for (int cc = 0; cc < 8; cc++) {
            db[cc] += dr[cc];
            dw[cc][0] = fmaf(dr[cc], a0, dw[cc][0]);
            dw[cc][1] = fmaf(dr[cc], a1, dw[cc][1]);
        }
    }
}

// PWL: the hidden activation is piecewise linear (identity, ReLU, leaky ReLU), a select per element
template <int NH, bool PWL>
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
    const HiddenActivation hidden(net.hidden_act);
    int woff[NH + 1], boff[NH + 1];
    const int P = mlp64_layout<NH>(net, woff, boff);

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

    float dw[NH][8][2] = {}, db[NH][8] = {}, dwo[2][2] = {}, dbo[2] = {}, loss = 0.0f;
    const int first = *step_index * stride, tiles = (rows + TILE - 1) / TILE;
    const float inv_n = 1.0f / ((float) rows * out);

    // The next tile's rows are fetched while this one computes: their indexes at the start of the
    // tile, their values once the first layer is done (the indexes have arrived by then), stored to
    // shared memory at the start of the next. Thread t holds input column t % 64 of rows t/64 + 4m
    // and target column t % 16 of rows t/16 + 16m.
    const int xk = t & 63, yc = t & 15;
    int xrow[TILE * WIDTH / THREADS], yrow[TILE * OUT_MAX / THREADS];
    float xv[TILE * WIDTH / THREADS], yv[TILE * OUT_MAX / THREADS];
    auto fetch_indexes = [&](int tile) {
#pragma unroll
        for (int m = 0; m < TILE * WIDTH / THREADS; m++) {
            const int r = tile * TILE + (t >> 6) + 4 * m;
            xrow[m] = tile < tiles && r < rows ? order[first + r] : -1;
        }
#pragma unroll
        for (int m = 0; m < TILE * OUT_MAX / THREADS; m++) {
            const int r = tile * TILE + (t >> 4) + 16 * m;
            yrow[m] = tile < tiles && r < rows ? order[first + r] : -1;
        }
    };
    auto fetch_values = [&]() {
#pragma unroll
        for (int m = 0; m < TILE * WIDTH / THREADS; m++) {
            xv[m] = xrow[m] >= 0 && xk < in ? features[(long) xrow[m] * in + xk] : 0.0f;
        }
#pragma unroll
        for (int m = 0; m < TILE * OUT_MAX / THREADS; m++) {
            yv[m] = yrow[m] >= 0 && yc < out ? targets[(long) yrow[m] * out + yc] : 0.0f;
        }
    };
    fetch_indexes(blockIdx.x);
    fetch_values();

    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        const int r0 = tile * TILE;
        __syncthreads();                                           // the last tile is done with A, D, Y
#pragma unroll
        for (int m = 0; m < TILE * WIDTH / THREADS; m++) A[0][((t >> 6) + 4 * m) * S + xk] = xv[m];
#pragma unroll
        for (int m = 0; m < TILE * OUT_MAX / THREADS; m++) Y[((t >> 4) + 16 * m) * OUT_MAX + yc] = yv[m];
        fetch_indexes(tile + gridDim.x);
        __syncthreads();
#pragma unroll
        for (int l = 0; l < NH; l++) {
            forward_hidden<PWL>(A[l], W[l], bias[l], A[l + 1], hidden, t);
            if (l == 0) fetch_values();
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
                if (row_in && c < out) loss += elementwise_loss(net.loss, net.output_act, z, a, y, inv_n, dz);
                D[r * SO + c] = dz;
            }
        }
        __syncthreads();
        {                                                          // output layer's dW, db: units 2w, 2w+1
            const int c = 2 * (t >> 5), lane = t & 31;
#pragma unroll 4
            for (int r = 0; r < TILE; r++) {
                const float a0 = A[NH][r * S + lane], a1 = A[NH][r * S + lane + 32];
#pragma unroll
                for (int cc = 0; cc < 2; cc++) {
                    const float d = D[r * SO + c + cc];
                    dwo[cc][0] = fmaf(d, a0, dwo[cc][0]);
                    dwo[cc][1] = fmaf(d, a1, dwo[cc][1]);
                    dbo[cc] += d;
                }
            }
        }
        __syncthreads();
        backward_delta<OUT_MAX, PWL>(D, SO, Wot, SO, A[NH], hidden, t);
        __syncthreads();
#pragma unroll
        for (int l = NH - 1; l >= 0; l--) {
            accumulate_gradient(A[l + 1], A[l], dw[l], db[l], t);
            if (l > 0) {
                __syncthreads();
                backward_delta<WIDTH, PWL>(A[l + 1], S, Wt[l], S, A[l], hidden, t);
                __syncthreads();
            }
        }
    }

    float* g = grad_partials + (long) blockIdx.x * P;
    const int w = t >> 5, lane = t & 31;
#pragma unroll
    for (int l = 0; l < NH; l++) {
        const int width_in = l == 0 ? in : WIDTH;
#pragma unroll
        for (int cc = 0; cc < 8; cc++) {
            const int c = 8 * w + cc;
#pragma unroll
            for (int j = 0; j < 2; j++) {
                if (lane + 32 * j < width_in) g[woff[l] + c * width_in + lane + 32 * j] = dw[l][cc][j];
            }
            if (lane == 0) g[boff[l] + c] = db[l][cc];
        }
    }
#pragma unroll
    for (int cc = 0; cc < 2; cc++) {
        const int c = 2 * w + cc;
        if (c < out) {
            g[woff[NH] + c * WIDTH + lane] = dwo[cc][0];
            g[woff[NH] + c * WIDTH + lane + 32] = dwo[cc][1];
            if (lane == 0) g[boff[NH] + c] = dbo[cc];
        }
    }
    warp_loss_to_shared(loss, red);
    __syncthreads();
    block_loss_out(red, loss_partials);
}

MLP64_ENTRIES(mlp64_step, mlp64_step)
