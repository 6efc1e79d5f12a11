package dev.downhill.cpu;

import dev.downhill.cpu.VectorProducts.Epilogue;
import dev.downhill.network.Activation;
import org.ejml.data.FMatrixRMaj;

/**
 * The forward and backward pass of one dense layer {@code z = x·Wᵀ + b}, {@code a = act(z)}.
 * Shapes: {@code x [rows, in]}, {@code W [out, in]}, {@code b [1, out]}, {@code z [rows, out]}.
 *
 * <p>The elementwise work rides on the products as their epilogues: each thread adds b and
 * applies act (or act') on the rectangle of the product it has just computed, while it is in its
 * cache, and ∂L/∂b is summed by the threads that read dz for ∂L/∂W. So that work runs on every
 * core, without passes of its own over memory; the arithmetic, element by element and in its
 * order, is what it would be after the product.
 */
final class DenseLayerMath {
    private final MatrixProducts products;
    private final BiasAndActivation biasAndActivation = new BiasAndActivation();
    private final ActivationSlope activationSlope = new ActivationSlope();

    DenseLayerMath(MatrixProducts products) {
        this.products = products;
    }

    /** z = x·Wᵀ + b, a = act(z) */
    void forward(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, Activation act, FMatrixRMaj z, FMatrixRMaj a) {
        products.forward(x, w, z, biasAndActivation.of(b.data, act, a.data));
        // softmax normalises whole rows, which a thread's rectangle of z may cut
        if (act == Activation.SOFTMAX) Activations.activate(act, z, a);
    }

    /** ∂L/∂W = dzᵀ·x and ∂L/∂b = Σ_rows dz. */
    void parameterGradients(FMatrixRMaj dz, FMatrixRMaj x, FMatrixRMaj dw, FMatrixRMaj db) {
        products.parameterGradients(dz, x, dw, db);
    }

    /**
     * ∂L/∂a of the layer below = dz·W, and from it that layer's dz = ∂L/∂a ⊙ act'(z), written from its
     * {@code z} and {@code a = act(z)}. Where dropout fed {@code a ⊙ keep} to this layer instead of
     * {@code a}, {@code keep} (else null) scales ∂L/∂a first: dz = (dz·W ⊙ keep) ⊙ act'(z).
     */
    void inputGradient(FMatrixRMaj dz, FMatrixRMaj w, Activation actBelow, FMatrixRMaj zBelow, FMatrixRMaj aBelow,
                       FMatrixRMaj keep, FMatrixRMaj daBelow, FMatrixRMaj dzBelow) {
        products.inputGradient(dz, w, daBelow, activationSlope.of(actBelow, zBelow.data, aBelow.data,
                keep == null ? null : keep.data, dzBelow.data));
    }

    /**
     * Elementwise work along memory over a rectangle of a matrix {@code n} wide: one run where the
     * rectangle spans whole rows, else a run per row.
     */
    private abstract static class AlongRows implements Epilogue {
        /** The work on elements [from, to) of the matrix. */
        abstract void run(float[] c, int from, int to);

        final void runs(float[] c, int n, int i0, int i1, int j0, int j1) {
            if (j0 == 0 && j1 == n) {
                run(c, i0 * n, i1 * n);
            } else {
                for (int r = i0; r < i1; r++) run(c, r * n + j0, r * n + j1);
            }
        }
    }

    /** z += b, then a = act(z), over the rectangle; softmax is left to the caller. */
    private static final class BiasAndActivation extends AlongRows {
        private float[] bias, a;
        private Activation act;

        BiasAndActivation of(float[] bias, Activation act, float[] a) {
            this.bias = bias;
            this.act = act;
            this.a = a;
            return this;
        }

        @Override
        public void finish(float[] z, int n, int i0, int i1, int j0, int j1) {
            for (int r = i0; r < i1; r++) {
                int row = r * n;
                for (int c = j0; c < j1; c++) z[row + c] += bias[c];
            }
            if (act != Activation.SOFTMAX) runs(z, n, i0, i1, j0, j1);
        }

        @Override
        void run(float[] z, int from, int to) {
            Activations.activate(act, z, a, from, to);
        }
    }

    /** dz = da ⊙ act'(z), or (da ⊙ keep) ⊙ act'(z), over the rectangle of da. */
    private static final class ActivationSlope extends AlongRows {
        private Activation act;
        private float[] z, a, keep, dz;

        ActivationSlope of(Activation act, float[] z, float[] a, float[] keep, float[] dz) {
            this.act = act;
            this.z = z;
            this.a = a;
            this.keep = keep;
            this.dz = dz;
            return this;
        }

        @Override
        public void finish(float[] da, int n, int i0, int i1, int j0, int j1) {
            runs(da, n, i0, i1, j0, j1);
        }

        @Override
        void run(float[] da, int from, int to) {
            if (keep != null) for (int i = from; i < to; i++) da[i] *= keep[i];
            Activations.backward(act, z, a, da, dz, from, to);
        }
    }
}
