// target: compute_80 (mma.sync with TF32 operands and cvt.rna.tf32 need Ampere or newer)
// The training step of mlp64_step.cuh in the TF32 math mode, on tensor cores: every matrix product
// is warp-level mma.sync m16n8k8 with TF32 operands and float32 accumulation, as cuBLAS does in
// TF32 mode. Operands are rounded to TF32 (to nearest) once: weights when loaded, inputs and deltas
// when stored, activations when stored (piecewise-linear ones) or as each fragment is loaded.
// Row-wise fragments (the forward and ∂L/∂a products) are loaded with ldmatrix, four 8×4 blocks in
// one instruction; ∂L/∂W's fragments run down columns, which ldmatrix cannot transpose for 32-bit
// elements: they are loaded one element at a time.
#include "mlp64_step.cuh"
#include <stdint.h>

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

// acc += X·Bᵀ: X [64][64] stored as [r][k] (float32 activations: ROUND), B [n][k]. The forward
// product (B = W; the first layer's inputs and weights are zero past the input width) and ∂L/∂a
// (X = deltas, B = Wt). Unrolled, so that every shared-memory address is a register plus a constant.
template <bool ROUND>
__device__ __forceinline__ void product_x_bt(float (&acc)[4][4], const float* X, const float* B, const WarpTile& w) {
    const int lane = w.lane;
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

struct Tf32Products {
    static __device__ __forceinline__ float round(float x) { return round_tf32(x); }

    template <bool ROUND>
    static __device__ __forceinline__ void forward(float (&acc)[4][4], const float* X, const float* B, const WarpTile& w) {
        product_x_bt<ROUND>(acc, X, B, w);
    }

    template <bool ROUND>
    static __device__ __forceinline__ void output_forward(float (&z)[4], const float* X, const float* Wo, int m0, int n0,
                                                          const WarpTile& w) {
#pragma unroll
        for (int ks = 0; ks < WIDTH / 8; ks++) {
            uint32_t a[4], b0, b1;
            load_a<ROUND>(a, X, WIDTH, m0, 8 * ks, w.lane);
            load_b(b0, b1, Wo, 8 * ks, n0, w.g, w.q);
            mma(z, a, b0, b1);
        }
    }

    static __device__ __forceinline__ void output_backward(float (&acc)[4][4], const float* D, const float* Wo,
                                                           const WarpTile& w) {
        product_d_w<OUT_MAX / 8>(acc, D, DS, Wo, w);
    }

    template <bool ROUND>
    static __device__ __forceinline__ void weight_gradient(float (&dw)[4][4], const float* Dl, const float* X,
                                                           const WarpTile& w) {
        product_dt_x<4, ROUND>(dw, Dl, WIDTH, X, w.m0, w.n0, w.g, w.q);
    }

    static __device__ __forceinline__ void weight_at(const WarpTile& w, int j, int i, int& c, int& k) {
        c = w.m0 + w.g + 8 * (i >> 1);
        k = w.col(j) + (i & 1);
    }

    template <bool ROUND>
    static __device__ __forceinline__ void output_weight_gradient(float (&dwo)[1][4], const float* D, const float* X,
                                                                  int warp, const WarpTile& w) {
        product_dt_x<1, ROUND>(dwo, D, DS, X, 0, 8 * warp, w.g, w.q);
    }
};

MLP64_ENTRIES(mlp64_tf32_step, Tf32Products)
