package dev.downhill.cpu;

import org.ejml.data.FMatrixRMaj;

/**
 * The forward and backward pass of one dense layer {@code z = x·Wᵀ + b}.
 * Shapes: {@code x [rows, in]}, {@code W [out, in]}, {@code b [1, out]}, {@code z [rows, out]}.
 */
final class DenseLayerMath {
    private DenseLayerMath() {}

    /** z = x·Wᵀ + b */
    static void forward(MatrixProducts products, FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
        products.forward(x, w, z);
        int out = z.numCols;
        for (int r = 0; r < z.numRows; r++) {
            for (int c = 0; c < out; c++) z.data[r * out + c] += b.data[c];
        }
    }

    /** ∂L/∂W = dzᵀ·x and ∂L/∂b = Σ_rows dz. */
    static void parameterGradients(MatrixProducts products, FMatrixRMaj dz, FMatrixRMaj x, FMatrixRMaj dw, FMatrixRMaj db) {
        products.weightGradient(dz, x, dw);
        // Σ_rows dz row by row: a pass along memory, where a column at a time strides across it
        int out = dz.numCols;
        java.util.Arrays.fill(db.data, 0, out, 0f);
        for (int r = 0; r < dz.numRows; r++) {
            for (int c = 0; c < out; c++) db.data[c] += dz.data[r * out + c];
        }
    }

    /** ∂L/∂x = dz·W, the gradient handed to the layer below. */
    static void inputGradient(MatrixProducts products, FMatrixRMaj dz, FMatrixRMaj w, FMatrixRMaj dx) {
        products.inputGradient(dz, w, dx);
    }
}
