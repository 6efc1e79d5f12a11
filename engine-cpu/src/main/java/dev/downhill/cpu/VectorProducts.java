package dev.downhill.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.stream.IntStream;

/**
 * The fast path for large matrix products: {@code C = A·B} on row-major float arrays, with a
 * register-blocked micro-kernel on the Java Vector API (4 rows × 3 vectors of C held in
 * registers while k runs) and the row tiles shared among the cores. Each element of C is summed
 * by one thread in a fixed order, so results are deterministic. The reference path (EJML) stays;
 * {@code VectorProductsTest} checks the two against each other.
 */
final class VectorProducts {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length(), ROWS = 4, WIDTH = 3 * L;

    private VectorProducts() {}

    /** C[m×n] = A[m×k]·B[k×n], all row-major and dense (leading dimension = width). */
    static void multiply(float[] a, float[] b, float[] c, int m, int n, int k) {
        int tiles = (m + ROWS - 1) / ROWS;
        int threads = Math.min(Runtime.getRuntime().availableProcessors(), tiles);
        if (threads <= 1 || (long) m * n * k < 1 << 20) {
            for (int t = 0; t < tiles; t++) tile(a, b, c, t * ROWS, m, n, k);
        } else {
            IntStream.range(0, threads).parallel().forEach(worker -> {
                for (int t = worker; t < tiles; t += threads) tile(a, b, c, t * ROWS, m, n, k);
            });
        }
    }

    /** Rows i..i+3 of C (fewer at the bottom edge). */
    private static void tile(float[] a, float[] b, float[] c, int i, int m, int n, int k) {
        if (i + ROWS > m) {
            for (int r = i; r < m; r++) row(a, b, c, r, n, k);
            return;
        }
        int j = 0;
        for (; j + WIDTH <= n; j += WIDTH) block4x3(a, b, c, i, j, n, k);
        for (; j < n; j += L) block4x1(a, b, c, i, j, n, k, S.indexInRange(j, n));
    }

    private static void block4x3(float[] a, float[] b, float[] c, int i, int j, int n, int k) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
                c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = 0; p < k; p++) {
            int bo = p * n + j;
            FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L),
                    b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32);
        }
        int o = i * n + j;
        c00.intoArray(c, o); c01.intoArray(c, o + L); c02.intoArray(c, o + 2 * L);
        o += n;
        c10.intoArray(c, o); c11.intoArray(c, o + L); c12.intoArray(c, o + 2 * L);
        o += n;
        c20.intoArray(c, o); c21.intoArray(c, o + L); c22.intoArray(c, o + 2 * L);
        o += n;
        c30.intoArray(c, o); c31.intoArray(c, o + L); c32.intoArray(c, o + 2 * L);
    }

    /** Four rows of one (possibly partial) vector of columns. */
    private static void block4x1(float[] a, float[] b, float[] c, int i, int j, int n, int k, VectorMask<Float> mask) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = 0; p < k; p++) {
            FloatVector bv = FloatVector.fromArray(S, b, p * n + j, mask);
            c0 = bv.fma(FloatVector.broadcast(S, a[a0 + p]), c0);
            c1 = bv.fma(FloatVector.broadcast(S, a[a1 + p]), c1);
            c2 = bv.fma(FloatVector.broadcast(S, a[a2 + p]), c2);
            c3 = bv.fma(FloatVector.broadcast(S, a[a3 + p]), c3);
        }
        int o = i * n + j;
        c0.intoArray(c, o, mask);
        c1.intoArray(c, o + n, mask);
        c2.intoArray(c, o + 2 * n, mask);
        c3.intoArray(c, o + 3 * n, mask);
    }

    /** One row of C, a vector at a time. */
    private static void row(float[] a, float[] b, float[] c, int r, int n, int k) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            FloatVector acc = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                acc = FloatVector.fromArray(S, b, p * n + j, mask).fma(FloatVector.broadcast(S, a[r * k + p]), acc);
            }
            acc.intoArray(c, r * n + j, mask);
        }
    }

    /** t[cols×rows] = mᵀ for row-major m[rows×cols]. */
    static void transpose(float[] m, int rows, int cols, float[] t) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[o + c];
        }
    }
}
