package dev.downhill.cpu;

import dev.downhill.cpu.VectorProducts.Epilogue;
import dev.downhill.cpu.VectorProducts.Layout;

import java.util.Arrays;
import java.util.concurrent.RecursiveAction;

/**
 * One thread's share of a {@link VectorProducts} product: a rectangle of C, rows [i0, i1) ×
 * columns [j0, j1); or whole partial products over chunks of the depth; or the sum of those
 * partials for rows of C. It holds the loops around the micro-kernels and packs the operands'
 * blocks into its own buffers (grown when a larger product first comes, then reused).
 */
final class ProductPart extends RecursiveAction {
    private enum Job { RECTANGLE, PARTIAL_PRODUCTS, SUM_OF_PARTIALS }

    /** The scratch tile for the edges of C, as large as the largest register tile. */
    private final float[] tile;
    private ProductTiling tiling;
    private float[] packedA = new float[0], packedB = new float[0];
    /** The product's operands and shapes, and this part's share of it: fields, so that a product allocates nothing. */
    private float[] a, b, c, partials, rowSumsOfA;
    private Layout aLayout, bLayout;
    private int m, n, k, i0, i1, j0, j1, firstChunk, endChunk;
    private Epilogue epilogue;
    private Job job;

    ProductPart(int largestTile) {
        this.tile = new float[largestTile];
    }

    ProductPart assign(ProductTiling tiling, float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k, Epilogue epilogue,
                float[] rowSumsOfA) {
        reinitialize();
        this.tiling = tiling;
        this.epilogue = epilogue;
        this.rowSumsOfA = rowSumsOfA;
        this.a = a; this.aLayout = aLayout; this.b = b; this.bLayout = bLayout; this.c = c;
        this.m = m; this.n = n; this.k = k;
        return this;
    }

    /** C's rows [i0, i1) × columns [j0, j1), then the epilogue on them. */
    void product(int i0, int i1, int j0, int j1) {
        this.job = Job.RECTANGLE;
        this.i0 = i0; this.i1 = i1; this.j0 = j0; this.j1 = j1;
    }

    /** The whole {@code m × n} partial products of chunks [first, end) of the depth, into {@code partials}. */
    void partialProducts(float[] partials, int first, int end) {
        this.job = Job.PARTIAL_PRODUCTS;
        this.partials = partials;
        this.firstChunk = first; this.endChunk = end;
        this.i0 = 0; this.i1 = m; this.j0 = 0; this.j1 = n;
    }

    /** C's rows [i0, i1) as the sum of {@code chunks} partial products in chunk order, then the epilogue on them. */
    void sumOfPartials(float[] partials, int chunks, int i0, int i1) {
        this.job = Job.SUM_OF_PARTIALS;
        this.partials = partials;
        this.endChunk = chunks;
        this.i0 = i0; this.i1 = i1; this.j0 = 0; this.j1 = n;
    }

    /**
     * Waits for this part: runs it here if no worker has taken it yet, else spins while it
     * runs (a blocking join from outside the pool allocates a wait node each time).
     */
    void finish() {
        if (tryUnfork()) {
            run();
            return;
        }
        while (!isDone()) Thread.onSpinWait();
        join();                                          // done: returns at once, or rethrows what the part threw
    }

    @Override
    protected void compute() {
        run();
    }

    void run() {
        switch (job) {
            case RECTANGLE -> {
                multiply(c, 0, 0, k, epilogue);
                if (rowSumsOfA != null && j0 == 0) sumRowsOfA(rowSumsOfA, 0, 0, k);
            }
            case PARTIAL_PRODUCTS -> {
                int rowSumsAt = Math.ceilDiv(k, VectorProducts.DEPTH_CHUNK) * m * n;
                for (int chunk = firstChunk; chunk < endChunk; chunk++) {
                    int p0 = chunk * VectorProducts.DEPTH_CHUNK, p1 = Math.min(k, p0 + VectorProducts.DEPTH_CHUNK);
                    multiply(partials, chunk * m * n, p0, p1, Epilogue.NONE);
                    if (rowSumsOfA != null) sumRowsOfA(partials, rowSumsAt + chunk * m, p0, p1);
                }
            }
            case SUM_OF_PARTIALS -> {
                int size = m * n, chunks = endChunk;
                System.arraycopy(partials, i0 * n, c, i0 * n, (i1 - i0) * n);
                for (int chunk = 1; chunk < chunks; chunk++) {
                    for (int e = i0 * n, p = chunk * size + e, end = i1 * n; e < end; e++, p++) c[e] += partials[p];
                }
                if (rowSumsOfA != null) {
                    int sums = chunks * size;
                    System.arraycopy(partials, sums + i0, rowSumsOfA, i0, i1 - i0);
                    for (int chunk = 1; chunk < chunks; chunk++) {
                        for (int i = i0; i < i1; i++) rowSumsOfA[i] += partials[sums + chunk * m + i];
                    }
                }
                epilogue.finish(c, n, i0, i1, 0, n);
            }
        }
    }

    /**
     * {@code out[o + i] = Σ_{p0 ≤ p < p1} A[i, p]} for this part's rows, one chain over p in order:
     * along a row of A as it is, or, for Aᵀ (dz), across its rows, where the part's rows of A lie side by side.
     */
    private void sumRowsOfA(float[] out, int o, int p0, int p1) {
        if (aLayout == Layout.AS_IS) {
            for (int i = i0; i < i1; i++) {
                float sum = 0;
                for (int p = p0, at = i * k; p < p1; p++) sum += a[at + p];
                out[o + i] = sum;
            }
        } else {
            Arrays.fill(out, o + i0, o + i1, 0f);
            for (int p = p0; p < p1; p++) {
                for (int i = i0, at = p * m; i < i1; i++) out[o + i] += a[at + i];
            }
        }
    }

    /**
     * {@code out[o + i·n + j] = Σ_{p0 ≤ p < p1} A[i, p]·B[p, j]} over this part's rectangle: the
     * loops around the micro-kernel, columns of B by block, depth by block, rows of A by block, then
     * tiles. Each block of C gets {@code then} as soon as its last depth block is in, while it is
     * still in the cache (a thread's whole rectangle is larger than L2).
     */
    private void multiply(float[] out, int o, int p0, int p1, Epilogue then) {
        for (int i = i0; i < i1; i++) Arrays.fill(out, o + i * n + j0, o + i * n + j1, 0f);    // the kernels add to C
        int mr = tiling.rows(), nr = tiling.width();
        int rowStride = aLayout == Layout.AS_IS ? k : 1, depthStride = aLayout == Layout.AS_IS ? 1 : m;
        for (int jc = j0; jc < j1; jc += tiling.blockColumns()) {
            int nb = Math.min(tiling.blockColumns(), j1 - jc);
            for (int pc = p0; pc < p1; pc += tiling.depth()) {
                int kb = Math.min(tiling.depth(), p1 - pc);
                packB(jc, nb, pc, kb);
                for (int ic = i0; ic < i1; ic += tiling.blockRows()) {
                    int mb = Math.min(tiling.blockRows(), i1 - ic);
                    if (tiling.packsA()) packABlock(ic, mb, pc, kb);
                    for (int jr = 0; jr < nb; jr += nr) {
                        int cols = Math.min(nr, nb - jr);
                        for (int ir = 0; ir < mb; ir += mr) {
                            int rows = Math.min(mr, mb - ir), at = o + (ic + ir) * n + jc + jr, row = ic + ir;
                            boolean whole = rows == mr && cols == nr;
                            if (!whole) edgeTile(out, rows, cols, at, true);
                            float[] cOut = whole ? out : tile;
                            int co = whole ? at : 0, ldc = whole ? n : nr;
                            if (mr == 3) {
                                MicroKernels.tile3x3(packedA, ir * kb, packedB, jr * kb, kb, cOut, co, ldc);
                            } else if (mr == 4) {
                                MicroKernels.tile4x2(packedA, ir * kb, packedB, jr * kb, kb, cOut, co, ldc);
                            } else if (rows == mr) {
                                MicroKernels.tile8x3(a, row * rowStride + pc * depthStride, rowStride, depthStride,
                                        packedB, jr * kb, kb, cOut, co, ldc);
                            } else {
                                packABlock(row, rows, pc, kb);           // a last strip of fewer rows than a tile, zero-padded
                                MicroKernels.tile8x3(packedA, 0, 1, mr, packedB, jr * kb, kb, cOut, co, ldc);
                            }
                            if (!whole) edgeTile(out, rows, cols, at, false);
                        }
                    }
                    if (pc + kb == p1) then.finish(out, n, ic, ic + mb, jc, jc + nb);
                }
            }
        }
    }

    /**
     * An edge tile of C, of {@code rows × cols} elements, into the full-sized scratch tile (zero
     * elsewhere) or back: the kernel runs on the scratch tile and sums exactly as on a full one.
     */
    private void edgeTile(float[] c, int rows, int cols, int offset, boolean in) {
        int nr = tiling.width();
        if (in) Arrays.fill(tile, 0f);
        for (int r = 0; r < rows; r++) {
            if (in) System.arraycopy(c, offset + r * n, tile, r * nr, cols);
            else System.arraycopy(tile, r * nr, c, offset + r * n, cols);
        }
    }

    /**
     * Rows [ic, ic+mb) of A at depth [pc, pc+kb) into strips of {@code mr} rows, zero past the
     * block's last row: strip s holds, step after step, its rows' values at depth p
     * ({@code kb × mr} floats from {@code s·mr·kb}), so the kernel reads A as one stream. The
     * 512-bit kernel, which reads A in place, packs only a last strip of fewer rows this way.
     */
    private void packABlock(int ic, int mb, int pc, int kb) {
        int mr = tiling.rows(), strips = Math.ceilDiv(mb, mr);
        packedA = atLeast(packedA, strips * mr * kb);
        float[] dst = packedA;
        for (int s = 0; s < strips; s++) {
            int first = ic + s * mr, rows = Math.min(mr, ic + mb - first), base = s * mr * kb;
            if (rows < mr) Arrays.fill(dst, base, base + mr * kb, 0f);
            if (rows == mr && mr <= 4) {
                packWholeStrip(dst, base, first, pc, kb);
                continue;
            }
            for (int r = 0; r < rows; r++) {
                int i = first + r;
                if (aLayout == Layout.AS_IS) {
                    for (int p = 0, src = i * k + pc; p < kb; p++) dst[base + p * mr + r] = a[src + p];
                } else {
                    for (int p = 0, src = pc * m + i; p < kb; p++) dst[base + p * mr + r] = a[src + p * m];
                }
            }
        }
    }

    /**
     * A whole strip of the 256-bit kernels (4 or 3 rows from {@code first}), written out a step's
     * values at a time, as C2 compiles a loop of four copies poorly (tcnn's ∂L/∂W went from 58 to
     * 93 GFLOP/s on two cores held to AVX2, 2026-12-03). In Aᵀ a step's values lie side by side.
     */
    private void packWholeStrip(float[] dst, int base, int first, int pc, int kb) {
        boolean four = tiling.rows() == 4;
        if (aLayout == Layout.TRANSPOSED) {
            for (int p = 0, src = pc * m + first, d = base; p < kb; p++, src += m) {
                dst[d++] = a[src]; dst[d++] = a[src + 1]; dst[d++] = a[src + 2];
                if (four) dst[d++] = a[src + 3];
            }
        } else {
            int r0 = first * k + pc, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
            for (int p = 0, d = base; p < kb; p++) {
                dst[d++] = a[r0 + p]; dst[d++] = a[r1 + p]; dst[d++] = a[r2 + p];
                if (four) dst[d++] = a[r3 + p];
            }
        }
    }

    /**
     * Depth [pc, pc+kb) × columns [jc, jc+nb) of B into strips of {@code nr} columns: strip s
     * holds, step after step, its columns' values at depth p ({@code kb × nr} floats), zero past column n.
     */
    private void packB(int jc, int nb, int pc, int kb) {
        int nr = tiling.width();
        packedB = atLeast(packedB, Math.ceilDiv(nb, nr) * nr * kb);
        float[] dst = packedB;
        for (int jr = 0; jr < nb; jr += nr) {
            int cols = Math.min(nr, nb - jr), base = jr * kb;
            if (bLayout == Layout.AS_IS) {
                for (int p = 0; p < kb; p++) System.arraycopy(b, (pc + p) * n + jc + jr, dst, base + p * nr, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    int src = (jc + jr + j) * k + pc;
                    for (int p = 0; p < kb; p++) dst[base + p * nr + j] = b[src + p];
                }
            }
            for (int p = 0; cols < nr && p < kb; p++) Arrays.fill(dst, base + p * nr + cols, base + (p + 1) * nr, 0f);
        }
    }

    private static float[] atLeast(float[] buffer, int n) {
        return buffer.length >= n ? buffer : new float[n];
    }
}
