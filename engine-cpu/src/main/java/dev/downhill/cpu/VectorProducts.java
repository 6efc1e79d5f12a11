package dev.downhill.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.RecursiveAction;

/**
 * The fast path for large matrix products: {@code C = A·B} on row-major float arrays, with a
 * register-blocked micro-kernel on the Java Vector API (4 rows × 3 vectors of C held in
 * registers while k runs) and the row tiles shared among the cores. Each element of C is summed
 * by one thread in a fixed order, so results are deterministic. The reference path (EJML) stays;
 * {@code VectorProductsTest} checks the two against each other.
 *
 * <p>An instance belongs to one model (one thread at a time): it holds a task per core beyond
 * the caller's, made once and handed to the common fork-join pool for each product, so that a
 * training step allocates nothing (a parallel stream per product cost 1.5 KB a step).
 */
final class VectorProducts {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length(), ROWS = 4, WIDTH = 3 * L;
    /** The panels of B that {@link #tiles} works through: rows of k, and values (256 KiB, in L2). */
    private static final int PANEL_DEPTH = 256, PANEL_FLOATS = 1 << 16;
    /** Products smaller than this many multiply-adds stay on the caller's thread. */
    private static final long PARALLEL_FROM = 1 << 20;

    private final Share[] helpers;

    VectorProducts() {
        helpers = new Share[Runtime.getRuntime().availableProcessors() - 1];
        for (int h = 0; h < helpers.length; h++) helpers[h] = new Share();
    }

    /** C[m×n] = A[m×k]·B[k×n], all row-major and dense (leading dimension = width). */
    void multiply(float[] a, float[] b, float[] c, int m, int n, int k) {
        int tiles = (m + ROWS - 1) / ROWS;
        int threads = Math.min(helpers.length + 1, tiles);
        if (threads <= 1 || (long) m * n * k < PARALLEL_FROM) {
            tiles(a, b, c, m, n, k, 0, 1);
            return;
        }
        for (int h = 0; h < threads - 1; h++) helpers[h].start(a, b, c, m, n, k, h + 1, threads);
        tiles(a, b, c, m, n, k, 0, threads);
        for (int h = 0; h < threads - 1; h++) helpers[h].finish();
    }

    /**
     * Row tiles {@code first, first + stride, ...} of C, a panel of B at a time: at most
     * {@link #PANEL_DEPTH} rows and about {@link #PANEL_FLOATS} values, so that the panel stays in
     * the core's cache while every tile passes over it. Without panels each 4-row tile read all of
     * a large B from memory again (1024³: 150 GFLOP/s on this machine's two cores, 250 with them).
     * The sum over k still runs in order, each panel continuing the partial sums the last left in C.
     */
    private static void tiles(float[] a, float[] b, float[] c, int m, int n, int k, int first, int stride) {
        int panelWidth = Math.max(WIDTH, PANEL_FLOATS / Math.min(k, PANEL_DEPTH) / WIDTH * WIDTH);
        for (int j0 = 0; j0 < n; j0 += panelWidth) {
            int j1 = Math.min(n, j0 + panelWidth);
            for (int p0 = 0; p0 < k; p0 += PANEL_DEPTH) {
                int p1 = Math.min(k, p0 + PANEL_DEPTH);
                for (int i = first * ROWS; i < m; i += stride * ROWS) tile(a, b, c, i, m, n, k, j0, j1, p0, p1);
            }
        }
    }

    /** Another core's share of one product; reused for every product. */
    private static final class Share extends RecursiveAction {
        private float[] a, b, c;
        private int m, n, k, first, stride;

        void start(float[] a, float[] b, float[] c, int m, int n, int k, int first, int stride) {
            reinitialize();
            this.a = a; this.b = b; this.c = c;
            this.m = m; this.n = n; this.k = k;
            this.first = first; this.stride = stride;
            fork();
        }

        /**
         * Waits for this share: runs it here if no worker has taken it yet, else spins while it
         * runs (a blocking join from outside the pool allocates a wait node each time).
         */
        void finish() {
            if (tryUnfork()) {
                compute();
                return;
            }
            while (!isDone()) Thread.onSpinWait();
            join();                                          // done: returns at once, or rethrows what the share threw
        }

        @Override
        protected void compute() {
            tiles(a, b, c, m, n, k, first, stride);
        }
    }

    /** Rows i..i+3 (fewer at the bottom edge), columns j0..j1 of C, summed over p0..p1. */
    private static void tile(float[] a, float[] b, float[] c, int i, int m, int n, int k, int j0, int j1, int p0, int p1) {
        if (i + ROWS > m) {
            for (int r = i; r < m; r++) {
                for (int j = j0; j < j1; j += L) row(a, b, c, r, j, n, k, p0, p1);
            }
            return;
        }
        int j = j0;
        for (; j + WIDTH <= j1; j += WIDTH) block4x3(a, b, c, i, j, n, k, p0, p1);
        for (; j < j1; j += L) block4x1(a, b, c, i, j, n, k, p0, p1);
    }

    private static void block4x3(float[] a, float[] b, float[] c, int i, int j, int n, int k, int p0, int p1) {
        int o0 = i * n + j, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
        FloatVector c00 = partial(c, o0, p0), c01 = partial(c, o0 + L, p0), c02 = partial(c, o0 + 2 * L, p0),
                c10 = partial(c, o1, p0), c11 = partial(c, o1 + L, p0), c12 = partial(c, o1 + 2 * L, p0),
                c20 = partial(c, o2, p0), c21 = partial(c, o2 + L, p0), c22 = partial(c, o2 + 2 * L, p0),
                c30 = partial(c, o3, p0), c31 = partial(c, o3 + L, p0), c32 = partial(c, o3 + 2 * L, p0);
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = p0; p < p1; p++) {
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
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L); c02.intoArray(c, o0 + 2 * L);
        c10.intoArray(c, o1); c11.intoArray(c, o1 + L); c12.intoArray(c, o1 + 2 * L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L); c22.intoArray(c, o2 + 2 * L);
        c30.intoArray(c, o3); c31.intoArray(c, o3 + L); c32.intoArray(c, o3 + 2 * L);
    }

    /** The sum so far of a vector of C: none before the first panel, else what the last panel stored. */
    private static FloatVector partial(float[] c, int offset, int p0) {
        return p0 == 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, c, offset);
    }

    private static FloatVector partial(float[] c, int offset, int p0, VectorMask<Float> mask) {
        return p0 == 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, c, offset, mask);
    }

    /** Four rows of one (possibly partial) vector of columns. */
    private static void block4x1(float[] a, float[] b, float[] c, int i, int j, int n, int k, int p0, int p1) {
        VectorMask<Float> mask = S.indexInRange(j, n);         // made here, where the compiler can keep it in a register
        int o0 = i * n + j, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
        FloatVector c0 = partial(c, o0, p0, mask), c1 = partial(c, o1, p0, mask), c2 = partial(c, o2, p0, mask),
                c3 = partial(c, o3, p0, mask);
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int p = p0; p < p1; p++) {
            FloatVector bv = FloatVector.fromArray(S, b, p * n + j, mask);
            c0 = bv.fma(FloatVector.broadcast(S, a[a0 + p]), c0);
            c1 = bv.fma(FloatVector.broadcast(S, a[a1 + p]), c1);
            c2 = bv.fma(FloatVector.broadcast(S, a[a2 + p]), c2);
            c3 = bv.fma(FloatVector.broadcast(S, a[a3 + p]), c3);
        }
        c0.intoArray(c, o0, mask);
        c1.intoArray(c, o1, mask);
        c2.intoArray(c, o2, mask);
        c3.intoArray(c, o3, mask);
    }

    /** One row of C, one (possibly partial) vector of columns. */
    private static void row(float[] a, float[] b, float[] c, int r, int j, int n, int k, int p0, int p1) {
        VectorMask<Float> mask = S.indexInRange(j, n);
        FloatVector acc = partial(c, r * n + j, p0, mask);
        for (int p = p0; p < p1; p++) {
            acc = FloatVector.fromArray(S, b, p * n + j, mask).fma(FloatVector.broadcast(S, a[r * k + p]), acc);
        }
        acc.intoArray(c, r * n + j, mask);
    }

    /** Side of the square blocks {@link #transpose} moves at a time. */
    private static final int TRANSPOSE_BLOCK = 16;

    /**
     * t[cols×rows] = mᵀ for row-major m[rows×cols], a square block at a time, each row of t's block
     * written whole. Row of m by row of m, a tall matrix's transpose scatters every row over
     * {@code cols} lines a power of two apart, which evict one another: that took half of tcnn's
     * step on the CPU (about 9 ms for 16384×64); this order takes 0.7 ms.
     */
    static void transpose(float[] m, int rows, int cols, float[] t) {
        for (int r0 = 0; r0 < rows; r0 += TRANSPOSE_BLOCK) {
            int r1 = Math.min(rows, r0 + TRANSPOSE_BLOCK);
            for (int c0 = 0; c0 < cols; c0 += TRANSPOSE_BLOCK) {
                int c1 = Math.min(cols, c0 + TRANSPOSE_BLOCK);
                for (int c = c0; c < c1; c++) {
                    for (int r = r0; r < r1; r++) t[c * rows + r] = m[r * cols + c];
                }
            }
        }
    }
}
