package dev.downhill.cpu;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The forward and backward pass of one dense layer {@code z = x·Wᵀ + b}.
 * Shapes: {@code x [rows, in]}, {@code W [out, in]}, {@code b [1, out]}, {@code z [rows, out]}.
 */
final class DenseLayerMath {
    private DenseLayerMath() {}

    /** z = x·Wᵀ + b */
    static void forward(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
        CommonOps_FDRM.multTransB(x, w, z);
        int out = z.numCols;
        for (int r = 0; r < z.numRows; r++) {
            for (int c = 0; c < out; c++) z.data[r * out + c] += b.data[c];
        }
    }

    /** ∂L/∂W = dzᵀ·x and ∂L/∂b = Σ_rows dz. */
    static void parameterGradients(FMatrixRMaj dz, FMatrixRMaj x, FMatrixRMaj dw, FMatrixRMaj db) {
        CommonOps_FDRM.multTransA(dz, x, dw);
        CommonOps_FDRM.sumCols(dz, db);
    }

    /** ∂L/∂x = dz·W, the gradient handed to the layer below. */
    static void inputGradient(FMatrixRMaj dz, FMatrixRMaj w, FMatrixRMaj dx) {
        CommonOps_FDRM.mult(dz, w, dx);
    }
}
