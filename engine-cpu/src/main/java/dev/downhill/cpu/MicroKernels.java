package dev.downhill.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The innermost loop of a product: one register tile of C from packed strips of A and B,
 * {@code C[rows × width] += Σ_p a[p]ᵀ·b[p]} over {@code depth} steps p, where {@code a[p]} is the
 * tile's {@code rows} values of column p of A (for 8×3 read in place through strides: the value of
 * row r at step p is {@code a[ao + r·rowStride + p·depthStride]}, so A as it is, its transpose and
 * a packed strip all serve; for 4×2 from a packed strip, the step's values side by side), and the
 * packed strip of B holds, step after step, the tile's
 * {@code width} values of row p of B. Each step loads the vectors of B once, broadcasts each value
 * of A and adds its product into the tile's sums, which never leave the registers.
 *
 * <p>One method per tile shape: the sums must be separate local variables for the compiler to
 * keep them in registers, so a tile's shape is written out, not looped over.
 *
 * <p>Shapes: {@code b} holds {@code depth × width} floats from {@code bo}; the tile of C starts at
 * {@code co}, rows {@code ldc} apart.
 *
 * <p>The sums start from C as it is: the caller zeroes C before the first depth block, so each
 * element of C is one chain of fused multiply-adds over k in order, whatever the tile, the depth
 * of a block and the vector length. The loads and stores of C are written out in the method (a
 * vector handed to a helper that was not inlined was boxed: 8 MB a step of mnist).
 */
final class MicroKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private MicroKernels() {}

    /**
     * 4 rows × 2 vectors: 8 sums, 2 of B and a broadcast, within the 16 registers of AVX2. A comes
     * packed, a step's 4 values side by side ({@code 4·depth} floats from {@code ao}): at 1024³ under
     * AVX2 this ran at 183 GFLOP/s, against 139 reading A in place through strides and 115–141 from
     * four rows each read along (measured 2026-12-03, two Zen 5 cores held to AVX2).
     */
    static void tile4x2(float[] a, int ao, float[] b, int bo, int depth, float[] c, int co, int ldc) {
        int o0 = co, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
        FloatVector c00 = load(c, o0), c01 = load(c, o0 + L), c10 = load(c, o1), c11 = load(c, o1 + L),
                c20 = load(c, o2), c21 = load(c, o2 + L), c30 = load(c, o3), c31 = load(c, o3 + L);
        for (int p = 0; p < depth; p++) {
            int bp = bo + p * 2 * L, ap = ao + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
        }
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L);
        c10.intoArray(c, o1); c11.intoArray(c, o1 + L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L);
        c30.intoArray(c, o3); c31.intoArray(c, o3 + L);
    }

    /**
     * 3 rows × 3 vectors: 9 sums, 3 of B and 3 broadcasts, 15 of the 16 registers of AVX2 (C2 loads a
     * step's broadcasts ahead of its multiply-adds, so they count: 5 × 2 and 6 × 2 spilled and ran at
     * 42–48 GFLOP/s). Nine chains of multiply-adds where 4 × 2 has eight: two FMA pipes of latency 4
     * or 5 need 8 or 10 in flight. One Zen 5 core held to AVX2, packed operands in cache, 2026-12-03:
     * 109 GFLOP/s against 4 × 2's 103. A comes packed, a step's 3 values side by side.
     */
    static void tile3x3(float[] a, int ao, float[] b, int bo, int depth, float[] c, int co, int ldc) {
        int o0 = co, o1 = o0 + ldc, o2 = o1 + ldc;
        FloatVector c00 = load(c, o0), c01 = load(c, o0 + L), c02 = load(c, o0 + 2 * L),
                c10 = load(c, o1), c11 = load(c, o1 + L), c12 = load(c, o1 + 2 * L),
                c20 = load(c, o2), c21 = load(c, o2 + L), c22 = load(c, o2 + 2 * L);
        for (int p = 0; p < depth; p++) {
            int bp = bo + p * 3 * L, ap = ao + p * 3;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L),
                    b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22);
        }
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L); c02.intoArray(c, o0 + 2 * L);
        c10.intoArray(c, o1); c11.intoArray(c, o1 + L); c12.intoArray(c, o1 + 2 * L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L); c22.intoArray(c, o2 + 2 * L);
    }

    /** 8 rows × 3 vectors: 24 sums, 3 of B and a broadcast, within the 32 registers of AVX-512; A read in place through strides. */
    static void tile8x3(float[] a, int ao, int rowStride, int depthStride, float[] b, int bo, int depth, float[] c, int co, int ldc) {
        int r1 = rowStride, r2 = 2 * rowStride, r3 = 3 * rowStride, r4 = 4 * rowStride, r5 = 5 * rowStride,
                r6 = 6 * rowStride, r7 = 7 * rowStride;
        int o0 = co, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc, o6 = o5 + ldc, o7 = o6 + ldc;
        FloatVector c00 = load(c, o0), c01 = load(c, o0 + L), c02 = load(c, o0 + 2 * L),
                c10 = load(c, o1), c11 = load(c, o1 + L), c12 = load(c, o1 + 2 * L),
                c20 = load(c, o2), c21 = load(c, o2 + L), c22 = load(c, o2 + 2 * L),
                c30 = load(c, o3), c31 = load(c, o3 + L), c32 = load(c, o3 + 2 * L),
                c40 = load(c, o4), c41 = load(c, o4 + L), c42 = load(c, o4 + 2 * L),
                c50 = load(c, o5), c51 = load(c, o5 + L), c52 = load(c, o5 + 2 * L),
                c60 = load(c, o6), c61 = load(c, o6 + L), c62 = load(c, o6 + 2 * L),
                c70 = load(c, o7), c71 = load(c, o7 + L), c72 = load(c, o7 + 2 * L);
        for (int p = 0; p < depth; p++) {
            int bp = bo + p * 3 * L, ap = ao + p * depthStride;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L),
                    b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, a[ap + r1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, a[ap + r2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(S, a[ap + r3]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32);
            x = FloatVector.broadcast(S, a[ap + r4]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42);
            x = FloatVector.broadcast(S, a[ap + r5]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52);
            x = FloatVector.broadcast(S, a[ap + r6]);
            c60 = b0.fma(x, c60); c61 = b1.fma(x, c61); c62 = b2.fma(x, c62);
            x = FloatVector.broadcast(S, a[ap + r7]);
            c70 = b0.fma(x, c70); c71 = b1.fma(x, c71); c72 = b2.fma(x, c72);
        }
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L); c02.intoArray(c, o0 + 2 * L);
        c10.intoArray(c, o1); c11.intoArray(c, o1 + L); c12.intoArray(c, o1 + 2 * L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L); c22.intoArray(c, o2 + 2 * L);
        c30.intoArray(c, o3); c31.intoArray(c, o3 + L); c32.intoArray(c, o3 + 2 * L);
        c40.intoArray(c, o4); c41.intoArray(c, o4 + L); c42.intoArray(c, o4 + 2 * L);
        c50.intoArray(c, o5); c51.intoArray(c, o5 + L); c52.intoArray(c, o5 + 2 * L);
        c60.intoArray(c, o6); c61.intoArray(c, o6 + L); c62.intoArray(c, o6 + 2 * L);
        c70.intoArray(c, o7); c71.intoArray(c, o7 + L); c72.intoArray(c, o7 + 2 * L);
    }

    private static FloatVector load(float[] c, int offset) {
        return FloatVector.fromArray(S, c, offset);
    }
}
