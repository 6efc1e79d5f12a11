package dev.downhill.cpu;

import java.util.Arrays;
import java.util.List;

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
 * <p>An instance belongs to one model (one thread at a time): it holds one {@link ProductPart} per core,
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
    private final ProductPart[] parts;
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
        parts = new ProductPart[threads];
        for (int i = 0; i < parts.length; i++) parts[i] = new ProductPart(largestTile);
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
        int rowTiles = Math.ceilDiv(m, tiling.rows()), columnTiles = Math.ceilDiv(n, tiling.width());
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
        int chunks = Math.ceilDiv(k, DEPTH_CHUNK);
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
        int chunks = Math.ceilDiv(k, DEPTH_CHUNK), threads = Math.min(parts.length, chunks);
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
}
