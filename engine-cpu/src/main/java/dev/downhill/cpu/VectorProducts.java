package dev.downhill.cpu;

import java.util.Arrays;
import java.util.List;
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
 * machine. A deep, narrow product (∂L/∂W over a large batch), which either cut would make every
 * core pack nearly all of both operands, is cut by the depth instead, into chunks of a fixed
 * {@link #DEPTH_CHUNK}: each element is then the sum, in chunk order, of one chain per chunk, the
 * same on every machine too. The reference path (EJML) stays; {@code VectorProductsTest} checks every tiling against it.
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
    /** Depth of the partial products a deep, narrow product is cut into: a constant, so that the sums do not depend on the cores. */
    static final int DEPTH_CHUNK = 2048;
    /** The most floats of partial products a deep product may hold (16 MiB); a deeper one is cut by tiles of C. */
    private static final long MAX_PARTIAL_FLOATS = 1 << 22;

    /** The tilings this instance chooses from by the width of a product, widest first. */
    private final List<ProductTiling> tilings;
    /** {@code parts[0]} runs on the caller; the others on the fork-join pool's workers. */
    private final Part[] parts;
    /** A deep product's partial products, one {@code m × n} block per chunk of the depth, then the chunks' {@code m} row sums of A. */
    private float[] partials = new float[0];
    private int sharesHandedOut;

    VectorProducts() {
        this(ProductTiling.forThisMachine());
    }

    /** Products with this one tiling: what the tests use to check each. */
    VectorProducts(ProductTiling tiling) {
        this(List.of(tiling));
    }

    VectorProducts(ProductTiling tiling, int threads) {
        this(List.of(tiling), threads);
    }

    VectorProducts(List<ProductTiling> tilings) {
        this(tilings, Runtime.getRuntime().availableProcessors());
    }

    VectorProducts(List<ProductTiling> tilings, int threads) {
        this.tilings = List.copyOf(tilings);
        int largestTile = tilings.stream().mapToInt(t -> t.rows() * t.width()).max().orElseThrow();
        parts = new Part[threads];
        for (int i = 0; i < parts.length; i++) parts[i] = new Part(largestTile);
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
        multiply(a, aLayout, b, bLayout, c, m, n, k, epilogue, null);
    }

    /**
     * C = A·B and {@code rowSumsOfA[i] = Σ_p A[i, p]}: ∂L/∂W = dzᵀ·x with ∂L/∂b = Σ_rows dz, summed
     * by the threads that read dz for the product, while it is in their caches. Each sum is one
     * chain over p in order, or for a product cut by the depth one chain per chunk, added in chunk order.
     */
    void multiplyAndSumRowsOfA(float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k, float[] rowSumsOfA) {
        multiply(a, aLayout, b, bLayout, c, m, n, k, Epilogue.NONE, rowSumsOfA);
    }

    private void multiply(float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k,
                          Epilogue epilogue, float[] rowSumsOfA) {
        if (k == 0) {
            Arrays.fill(c, 0, m * n, 0f);
            if (rowSumsOfA != null) Arrays.fill(rowSumsOfA, 0, m, 0f);
            epilogue.finish(c, n, 0, m, 0, n);
            return;
        }
        if (splitsByDepth(m, n, k)) {
            multiplyByDepth(a, aLayout, b, bLayout, c, m, n, k, epilogue, rowSumsOfA);
            return;
        }
        ProductTiling tiling = ProductTiling.forWidth(tilings, n);
        int rowTiles = ceilDiv(m, tiling.rows()), columnTiles = ceilDiv(n, tiling.width());
        boolean byRows = columnTiles < 4 * parts.length && rowTiles > columnTiles;
        int tiles = byRows ? rowTiles : columnTiles;
        int threads = (long) m * n * k < PARALLEL_FROM ? 1 : Math.min(parts.length, tiles);
        for (int t = 0; t < threads; t++) {
            int first = tiles * t / threads, end = tiles * (t + 1) / threads;
            int i0 = byRows ? first * tiling.rows() : 0, i1 = byRows ? Math.min(m, end * tiling.rows()) : m;
            int j0 = byRows ? 0 : first * tiling.width(), j1 = byRows ? n : Math.min(n, end * tiling.width());
            parts[t].assign(tiling, a, aLayout, b, bLayout, c, m, n, k, epilogue, rowSumsOfA).product(i0, i1, j0, j1);
        }
        runParts(threads);
    }

    /**
     * Whether a product is deep and narrow, as ∂L/∂W = dzᵀ·x over a large batch (64 × 64 over 16384
     * rows for tcnn): cut by tiles of C, each core would pack nearly all of both operands, so the
     * cores take chunks of the depth instead.
     */
    static boolean splitsByDepth(int m, int n, int k) {
        int chunks = ceilDiv(k, DEPTH_CHUNK);
        return chunks >= 2 && Math.max(m, n) * 8L <= k && (long) chunks * m * n <= MAX_PARTIAL_FLOATS;
    }

    /**
     * C as the sum of partial products over fixed chunks of the depth: each core computes whole
     * partial products for some chunks (and A's row sums over them), then the cores add the
     * partials, each its rows of C, in chunk order, and run the epilogue on them. The chunks do not depend on the cores, so neither
     * do the bits.
     */
    private void multiplyByDepth(float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k,
                                 Epilogue epilogue, float[] rowSumsOfA) {
        ProductTiling tiling = ProductTiling.forWidth(tilings, n);
        int chunks = ceilDiv(k, DEPTH_CHUNK), threads = Math.min(parts.length, chunks);
        if (partials.length < chunks * (m * n + m)) partials = new float[chunks * (m * n + m)];
        for (int t = 0; t < threads; t++) {
            parts[t].assign(tiling, a, aLayout, b, bLayout, c, m, n, k, epilogue, rowSumsOfA)
                    .partialProducts(partials, chunks * t / threads, chunks * (t + 1) / threads);
        }
        runParts(threads);
        int sharing = Math.min(threads, m);
        for (int t = 0; t < sharing; t++) {
            parts[t].assign(tiling, a, aLayout, b, bLayout, c, m, n, k, epilogue, rowSumsOfA)
                    .sumOfPartials(partials, chunks, m * t / sharing, m * (t + 1) / sharing);
        }
        runParts(sharing);
    }

    /** Runs parts [0, threads): the first on this thread, the others handed to the fork-join pool. */
    private void runParts(int threads) {
        for (int t = 1; t < threads; t++) parts[t].fork();
        sharesHandedOut += threads - 1;
        parts[0].run();
        for (int t = 1; t < threads; t++) parts[t].finish();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * One thread's share of a product: a rectangle of C, rows [i0, i1) × columns [j0, j1); or
     * whole partial products over chunks of the depth; or the sum of those partials for rows of C.
     * Each part has its own packing buffers (grown when a larger product first comes, then reused).
     */
    private static final class Part extends RecursiveAction {
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

        Part(int largestTile) {
            this.tile = new float[largestTile];
        }

        Part assign(ProductTiling tiling, float[] a, Layout aLayout, float[] b, Layout bLayout, float[] c, int m, int n, int k, Epilogue epilogue,
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
                    i0 = 0; i1 = m; j0 = 0; j1 = n;
                    int rowSumsAt = ceilDiv(k, DEPTH_CHUNK) * m * n;
                    for (int chunk = firstChunk; chunk < endChunk; chunk++) {
                        int p0 = chunk * DEPTH_CHUNK, p1 = Math.min(k, p0 + DEPTH_CHUNK);
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
            int mr = tiling.rows(), strips = ceilDiv(mb, mr);
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
