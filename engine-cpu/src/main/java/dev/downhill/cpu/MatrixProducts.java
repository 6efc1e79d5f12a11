package dev.downhill.cpu;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

import dev.downhill.cpu.VectorProducts.Epilogue;

import static dev.downhill.cpu.VectorProducts.Layout.AS_IS;
import static dev.downhill.cpu.VectorProducts.Layout.TRANSPOSED;

/**
 * The three products of a dense layer, through EJML (the readable reference) or, for large
 * ones, through {@link VectorProducts} on both cores. The fast path needs the incubating module
 * {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}); without it every
 * product goes through EJML.
 */
final class MatrixProducts {
    /** Which path the products take. */
    enum Path { REFERENCE, FAST, AUTO }

    /** Products of at least this many multiply-adds take the fast path under AUTO. */
    static final long FAST_FROM = 1 << 15;
    /**
     * ... and of at least this many rows: the fast path packs both operands per product, which a
     * batch of a few rows does not pay back (measured when it transposed one instead: at batch 1,
     * 256 wide, it was 3× slower than EJML).
     */
    static final int FAST_FROM_ROWS = 16;

    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final Path path;
    /** The fast path's kernels and threads; none where products never take it. */
    private final VectorProducts vectors;

    MatrixProducts(Path path) {
        if (path == Path.FAST && !VECTOR_API) {
            throw new IllegalStateException("the fast product path needs --add-modules jdk.incubator.vector");
        }
        this.path = path;
        this.vectors = VECTOR_API && path != Path.REFERENCE ? new VectorProducts() : null;
    }

    /** In words, for the device description. */
    static String describe() {
        return VECTOR_API ? "EJML, Vector API for large products: " + ProductTiling.forThisMachine().stream().map(ProductTiling::describe).collect(java.util.stream.Collectors.joining(" or ")) : "EJML (run with --add-modules jdk.incubator.vector for the fast path)";
    }

    /** z = x·Wᵀ, then {@code then} on z. Shapes: x [rows, in], W [out, in], z [rows, out]. */
    void forward(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj z, Epilogue then) {
        if (fast(x.numRows, w.numCols, w.numRows)) {
            vectors.multiply(x.data, AS_IS, w.data, TRANSPOSED, z.data, x.numRows, w.numRows, w.numCols, then);
        } else {
            CommonOps_FDRM.multTransB(x, w, z);
            finish(then, z);
        }
    }

    /** ∂L/∂W = dzᵀ·x and ∂L/∂b = Σ_rows dz. Shapes: dz [rows, out], x [rows, in], dW [out, in], db [1, out]. */
    void parameterGradients(FMatrixRMaj dz, FMatrixRMaj x, FMatrixRMaj dw, FMatrixRMaj db) {
        if (fast(dz.numRows, x.numCols, dz.numCols)) {
            vectors.multiplyAndSumRowsOfA(dz.data, TRANSPOSED, x.data, AS_IS, dw.data, dz.numCols, x.numCols, dz.numRows, db.data);
        } else {
            CommonOps_FDRM.multTransA(dz, x, dw);
            sumRows(dz, db);
        }
    }

    /** db = Σ_rows dz, row after row (a pass along memory, where a column at a time strides across it). */
    private static void sumRows(FMatrixRMaj dz, FMatrixRMaj db) {
        int out = dz.numCols;
        java.util.Arrays.fill(db.data, 0, out, 0f);
        for (int r = 0; r < dz.numRows; r++) {
            for (int c = 0, row = r * out; c < out; c++) db.data[c] += dz.data[row + c];
        }
    }

    /** ∂L/∂x = dz·W, then {@code then} on ∂L/∂x. Shapes: dz [rows, out], W [out, in], dx [rows, in]. */
    void inputGradient(FMatrixRMaj dz, FMatrixRMaj w, FMatrixRMaj dx, Epilogue then) {
        if (fast(dz.numRows, w.numCols, w.numRows)) {
            vectors.multiply(dz.data, AS_IS, w.data, AS_IS, dx.data, dz.numRows, w.numCols, w.numRows, then);
        } else {
            CommonOps_FDRM.mult(dz, w, dx);
            finish(then, dx);
        }
    }

    /** The reference path's epilogue: the whole matrix, on this thread. */
    private static void finish(Epilogue then, FMatrixRMaj c) {
        then.finish(c.data, c.numCols, 0, c.numRows, 0, c.numCols);
    }

    private boolean fast(int rows, int in, int out) {
        return switch (path) {
            case REFERENCE -> false;
            case FAST -> true;
            case AUTO -> VECTOR_API && rows >= FAST_FROM_ROWS && (long) rows * in * out >= FAST_FROM;
        };
    }
}
