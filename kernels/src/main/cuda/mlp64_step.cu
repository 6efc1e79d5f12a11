// The training step of mlp64_step.cuh in float32, on the CUDA cores. Each lane computes a 2 × 8
// block of a forward or ∂L/∂a product (the tensor cores' accumulator positions, so that the
// step's epilogues serve both kernels) and a 4 × 4 block of ∂L/∂W, from operands read four floats
// at a time along the reduced dimension: a lane's 16 multiply-adds per step of k cost its warp two
// or three shared-memory wavefronts, where one float per operand would cost eight.
#include "mlp64_step.cuh"

__device__ __forceinline__ float4 load4(const float* M, int rs, int r, int c) {
    return *reinterpret_cast<const float4*>(M + at(rs, r, c));
}

__device__ __forceinline__ float2 load2(const float* M, int rs, int r, int c) {
    return *reinterpret_cast<const float2*>(M + at(rs, r, c));
}

__device__ __forceinline__ float dot4(float4 a, float4 b, float acc) {
    acc = fmaf(a.x, b.x, acc);
    acc = fmaf(a.y, b.y, acc);
    acc = fmaf(a.z, b.z, acc);
    return fmaf(a.w, b.w, acc);
}

struct Fp32Products {
    static __device__ __forceinline__ float round(float x) { return x; }

    // acc += X·Bᵀ: rows m0 + g (+8) of X, rows n0 + 8j + 2q + e of B, four k at a time
    template <bool ROUND>
    static __device__ __forceinline__ void forward(float (&acc)[4][4], const float* X, const float* B, const WarpTile& w) {
#pragma unroll 4
        for (int k = 0; k < WIDTH; k += 4) {
            const float4 a0 = load4(X, WIDTH, w.row(0), k), a1 = load4(X, WIDTH, w.row(1), k);
#pragma unroll
            for (int j = 0; j < 4; j++) {
                const float4 b0 = load4(B, WIDTH, w.col(j), k), b1 = load4(B, WIDTH, w.col(j) + 1, k);
                acc[j][0] = dot4(a0, b0, acc[j][0]);
                acc[j][1] = dot4(a0, b1, acc[j][1]);
                acc[j][2] = dot4(a1, b0, acc[j][2]);
                acc[j][3] = dot4(a1, b1, acc[j][3]);
            }
        }
    }

    template <bool ROUND>
    static __device__ __forceinline__ void output_forward(float (&z)[4], const float* X, const float* Wo, int m0, int n0,
                                                          const WarpTile& w) {
        const int r0 = m0 + w.g, c0 = n0 + 2 * w.q;
#pragma unroll 4
        for (int k = 0; k < WIDTH; k += 4) {
            const float4 a0 = load4(X, WIDTH, r0, k), a1 = load4(X, WIDTH, r0 + 8, k);
            const float4 b0 = load4(Wo, WIDTH, c0, k), b1 = load4(Wo, WIDTH, c0 + 1, k);
            z[0] = dot4(a0, b0, z[0]);
            z[1] = dot4(a0, b1, z[1]);
            z[2] = dot4(a1, b0, z[2]);
            z[3] = dot4(a1, b1, z[3]);
        }
    }

    // acc += D·Wo over the output's 16 columns c: D [64][32], Wo [16][64]
    static __device__ __forceinline__ void output_backward(float (&acc)[4][4], const float* D, const float* Wo,
                                                           const WarpTile& w) {
#pragma unroll
        for (int c = 0; c < OUT_MAX; c += 4) {
            const float4 d0 = load4(D, DS, w.row(0), c), d1 = load4(D, DS, w.row(1), c);
            const float e0[4] = {d0.x, d0.y, d0.z, d0.w}, e1[4] = {d1.x, d1.y, d1.z, d1.w};
#pragma unroll
            for (int cc = 0; cc < 4; cc++)
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    const float2 wv = load2(Wo, WIDTH, c + cc, w.col(j));
                    acc[j][0] = fmaf(e0[cc], wv.x, acc[j][0]);
                    acc[j][1] = fmaf(e0[cc], wv.y, acc[j][1]);
                    acc[j][2] = fmaf(e1[cc], wv.x, acc[j][2]);
                    acc[j][3] = fmaf(e1[cc], wv.y, acc[j][3]);
                }
        }
    }

    // dw[j][i] += Σ_r Dl[r][c]·X[r][k] for c = m0 + 4·(lane / 8) + j, k = n0 + 4·(lane % 8) + i
    template <bool ROUND>
    static __device__ __forceinline__ void weight_gradient(float (&dw)[4][4], const float* Dl, const float* X,
                                                           const WarpTile& w) {
        const int c0 = w.m0 + 4 * (w.lane >> 3), k0 = w.n0 + 4 * (w.lane & 7);
#pragma unroll 8
        for (int r = 0; r < TILE; r++) {
            const float4 d = load4(Dl, WIDTH, r, c0), x = load4(X, WIDTH, r, k0);
            const float dv[4] = {d.x, d.y, d.z, d.w}, xv[4] = {x.x, x.y, x.z, x.w};
#pragma unroll
            for (int j = 0; j < 4; j++)
#pragma unroll
                for (int i = 0; i < 4; i++) dw[j][i] = fmaf(dv[j], xv[i], dw[j][i]);
        }
    }

    static __device__ __forceinline__ void weight_at(const WarpTile& w, int j, int i, int& c, int& k) {
        c = w.m0 + 4 * (w.lane >> 3) + j;
        k = w.n0 + 4 * (w.lane & 7) + i;
    }

    template <bool ROUND>
    static __device__ __forceinline__ void output_weight_gradient(float (&dwo)[1][4], const float* D, const float* X,
                                                                  int warp, const WarpTile& w) {
        const int k = 8 * warp + 2 * w.q;
#pragma unroll 8
        for (int r = 0; r < TILE; r++) {
            const float d0 = D[at(DS, r, w.g)], d1 = D[at(DS, r, w.g + 8)];
            const float2 x = load2(X, WIDTH, r, k);
            dwo[0][0] = fmaf(d0, x.x, dwo[0][0]);
            dwo[0][1] = fmaf(d0, x.y, dwo[0][1]);
            dwo[0][2] = fmaf(d1, x.x, dwo[0][2]);
            dwo[0][3] = fmaf(d1, x.y, dwo[0][3]);
        }
    }
};

MLP64_ENTRIES(mlp64_step, Fp32Products)
