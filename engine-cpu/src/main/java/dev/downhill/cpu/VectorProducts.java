package dev.downhill.cpu;

import java.util.Arrays;
import java.util.concurrent.RecursiveAction;

/**
 * The fast path for large matrix products: {@code C = A·B} on row-major float arrays, either
 * operand given as itself or as its transpose, computed much as BLIS does: blocks of B are packed
 * into contiguous strips, zero-padded to whole register tiles ({@link ProductTiling} sizes the
 * blocks to the caches), and a micro-kernel ({@link MicroKernels}) sums each tile of C in vector
 * registers. For the 512-bit tile A is read in place through strides, as itself or transposed
 * (only a last strip of fewer rows than a tile is copied, zero-padded), so a product with few
 * columns (tcnn's 64) does not spend more time packing A than multiplying; the 256-bit tile, whose
 * eight multiply-adds a step cannot hide a bounds check per load of A, reads A packed. No product
 * needs a transpose first. Each thread ends with the caller's {@link Epilogue} on its own rectangle.
 *
 * <p>The cores share a product by tiles of C: by columns where there are at least four tiles of
 * them per core, so that each core packs only its own columns of B, else by rows. Each
 * element of C is one chain of fused multiply-adds over k in order, by one thread, whatever the
 * tile, the blocks, the vector length and the number of threads: results are the same on every
 * machine. The reference path (EJML) stays; {@code VectorProductsTest} checks every tiling against it.
 *
 * <p>An instance belongs to one model (one thread at a time): it holds one {@link Part} per core,
 * with its packing buffers, made once; the parts beyond the caller's are handed to the common
 * fork-join pool for each product, so that a training step allocates nothing.
 */
final class VectorProducts {
    /** How an operand is stored: as itself, row-major, or as its transpose, row-major. */
    enum Layout { AS_IS, TRANSPOSED }

    /**
     * Elementwise work on a finished rectangle of C, rows [i0, i1) × columns [j0, j1) of a C
     * {@code n} wide, done by the thread that computed it while the rectangle is in its cache: so
     * that a layer's bias, activation and their gradients run on every core, in the product's pass.
     */
    @FunctionalInterface
    interface Epilogue {
        Epilogue NONE = (c, n, i0, i1, j0, j1) -> { };

        void finish(float[] c, int n, int i0, int i1, int j0, int j1);
    }

    /** Products smaller than this many multiply-adds stay on the caller's thread. */
    private static final long PARALLEL_FROM = 1 << 20;

    private final ProductTiling tiling;
    /** {@code parts[0]} runs on the caller; the others on the fork-join pool's workers. */
    private final Part[] parts;
    private int sharesHandedOut;

    VectorProducts() {
        this(ProductTiling.forThisMachine());
    }

    VectorProducts(ProductTiling tiling) {
        this(tiling, Runtime.getRuntime().availableProcessors());
    }

    VectorProducts(ProductTiling tiling, int threads) {
        this.tiling = tiling;
        parts = new Part[threads];
        for (int i = 0; i < parts.length; i++) parts[i] = new Part(tiling);
    }

    /** Shares of products handed to other threads so far: what the test of "more than one core" counts. */
    int sharesHandedOut() {
        return sharesHandedOut;
    }

    /** C[m×n] = A[m×k]·B[k×n]; A given as {@code aLayout} says ([m×k], or [k×m] for Aᵀ), B likewise. */
    void multiply(float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k) {
        multiply(a, aLayout, b, bLayout, c, m, n, k, Epilogue.NONE);
    }

    /** The same, then {@code epilogue} on each thread's rectangle of C, by that thread. */
    void multiply(float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k, Epilogue epilogue) {
        if (k == 0) {
            Arrays.fill(c, 0, m * n, 0f);
            epilogue.finish(c, n, 0, m, 0, n);
            return;
        }
        int rowTiles = ceilDiv(m, tiling.rows()), columnTiles = ceilDiv(n, tiling.width());
        boolean byRows = columnTiles < 4 * parts.length && rowTiles > columnTiles;
        int tiles = byRows ? rowTiles : columnTiles;
        int threads = (long) m * n * k < PARALLEL_FROM ? 1 : Math.min(parts.length, tiles);
        for (int t = 0; t < threads; t++) {
            int first = tiles * t / threads, end = tiles * (t + 1) / threads;
            int i0 = byRows ? first * tiling.rows() : 0, i1 = byRows ? Math.min(m, end * tiling.rows()) : m;
            int j0 = byRows ? 0 : first * tiling.width(), j1 = byRows ? n : Math.min(n, end * tiling.width());
            parts[t].assign(a, aLayout, b, bLayout, c, m, n, k, i0, i1, j0, j1, epilogue);
        }
        for (int t = 1; t < threads; t++) parts[t].fork();
        sharesHandedOut += threads - 1;
        parts[0].run();
        for (int t = 1; t < threads; t++) parts[t].finish();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * One thread's rectangle of C, rows [i0, i1) × columns [j0, j1), with its own packing buffers
     * (grown when a larger product first comes, then reused).
     */
    private static final class Part extends RecursiveAction {
        private final ProductTiling tiling;
        private final float[] tile;
        private float[] packedA = new float[0], packedB = new float[0];
        /** The product's operands and shapes, and this part's rectangle of C: fields, so that a product allocates nothing. */
        private float[] a, b, c;
        private Layout aLayout, bLayout;
        private int m, n, k, i0, i1, j0, j1;
        private Epilogue epilogue;

        Part(ProductTiling tiling) {
            this.tiling = tiling;
            this.tile = new float[tiling.rows() * tiling.width()];
        }

        void assign(float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k,
                    int i0, int i1, int j0, int j1, Epilogue epilogue) {
            reinitialize();
            this.epilogue = epilogue;
            this.a = a; this.aLayout = aLayout; this.b = b; this.bLayout = bLayout; this.c = c;
            this.m = m; this.n = n; this.k = k;
            this.i0 = i0; this.i1 = i1; this.j0 = j0; this.j1 = j1;
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

        /** The loops around the micro-kernel: columns of B by block, depth by block, rows of A by block, then tiles. */
        void run() {
            for (int i = i0; i < i1; i++) Arrays.fill(c, i * n + j0, i * n + j1, 0f);    // the kernels add to C
            int mr = tiling.rows(), nr = tiling.width();
            int rowStride = aLayout == Layout.AS_IS ? k : 1, depthStride = aLayout == Layout.AS_IS ? 1 : m;
            for (int jc = j0; jc < j1; jc += tiling.blockColumns()) {
                int nb = Math.min(tiling.blockColumns(), j1 - jc);
                for (int pc = 0; pc < k; pc += tiling.depth()) {
                    int kb = Math.min(tiling.depth(), k - pc);
                    packB(jc, nb, pc, kb);
                    for (int ic = i0; ic < i1; ic += tiling.blockRows()) {
                        int mb = Math.min(tiling.blockRows(), i1 - ic);
                        if (tiling.packsA()) packABlock(ic, mb, pc, kb);
                        for (int jr = 0; jr < nb; jr += nr) {
                            int cols = Math.min(nr, nb - jr);
                            for (int ir = 0; ir < mb; ir += mr) {
                                int rows = Math.min(mr, mb - ir), at = (ic + ir) * n + jc + jr, row = ic + ir;
                                boolean whole = rows == mr && cols == nr;
                                if (!whole) edgeTile(rows, cols, at, true);
                                float[] cOut = whole ? c : tile;
                                int co = whole ? at : 0, ldc = whole ? n : nr;
                                if (tiling.packsA()) {
                                    MicroKernels.tile4x2(packedA, ir * kb, packedB, jr * kb, kb, cOut, co, ldc);
                                } else if (rows == mr) {
                                    MicroKernels.tile8x3(a, row * rowStride + pc * depthStride, rowStride, depthStride,
                                            packedB, jr * kb, kb, cOut, co, ldc);
                                } else {
                                    packABlock(row, rows, pc, kb);           // a last strip of fewer rows than a tile, zero-padded
                                    MicroKernels.tile8x3(packedA, 0, 1, mr, packedB, jr * kb, kb, cOut, co, ldc);
                                }
                                if (!whole) edgeTile(rows, cols, at, false);
                            }
                        }
                    }
                }
            }
            epilogue.finish(c, n, i0, i1, j0, j1);
        }

        /**
         * An edge tile of C, of {@code rows × cols} elements, into the full-sized scratch tile (zero
         * elsewhere) or back: the kernel runs on the scratch tile and sums exactly as on a full one.
         */
        private void edgeTile(int rows, int cols, int offset, boolean in) {
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
            int mr = tiling.rows(), strips = ceilDiv(mb, mr);
            packedA = atLeast(packedA, strips * mr * kb);
            float[] dst = packedA;
            for (int s = 0; s < strips; s++) {
                int first = ic + s * mr, rows = Math.min(mr, ic + mb - first), base = s * mr * kb;
                if (rows < mr) Arrays.fill(dst, base, base + mr * kb, 0f);
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
         * Depth [pc, pc+kb) × columns [jc, jc+nb) of B into strips of {@code nr} columns: strip s
         * holds, step after step, its columns' values at depth p ({@code kb × nr} floats), zero past column n.
         */
        private void packB(int jc, int nb, int pc, int kb) {
            int nr = tiling.width();
            packedB = atLeast(packedB, ceilDiv(nb, nr) * nr * kb);
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
}
