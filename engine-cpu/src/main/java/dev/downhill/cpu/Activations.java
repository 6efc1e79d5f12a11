package dev.downhill.cpu;

import dev.downhill.network.Activation;
import org.ejml.data.FMatrixRMaj;

/**
 * Activations and their derivatives, element by element over {@code [rows, units]} matrices.
 * The switches are statements (each case writes a loop) with a {@code case null}, which makes
 * them exhaustive to the compiler (JLS 14.11.2): a new activation does not compile until both
 * its formulas are here.
 */
final class Activations {
    private Activations() {}

    /** {@code a = act(z)}; softmax works across each row. */
    static void activate(Activation act, FMatrixRMaj z, FMatrixRMaj a) {
        if (act == Activation.SOFTMAX) {
            for (int r = 0; r < z.numRows; r++) softmaxRow(z.data, a.data, r * z.numCols, z.numCols);
        } else {
            activate(act, z.data, a.data, 0, z.getNumElements());
        }
    }

    /** {@code a[i] = act(z[i])} for i in [from, to), for an activation of one element at a time. */
    static void activate(Activation act, float[] zd, float[] ad, int from, int to) {
        switch (act) {
            case IDENTITY -> System.arraycopy(zd, from, ad, from, to - from);
            case SIGMOID -> { for (int i = from; i < to; i++) ad[i] = sigmoid(zd[i]); }
            case TANH -> { for (int i = from; i < to; i++) ad[i] = (float) Math.tanh(zd[i]); }
            case RELU -> { for (int i = from; i < to; i++) ad[i] = Math.max(zd[i], 0f); }
            case LEAKY_RELU -> { for (int i = from; i < to; i++) ad[i] = Math.max(zd[i], Activation.LEAKY_SLOPE * zd[i]); } // slope < 1
            case SOFTMAX -> throw new IllegalArgumentException("softmax works across whole rows");
            case null -> throw new NullPointerException("no activation");   // makes the compiler require every constant
        }
    }

    /**
     * {@code dz = da ⊙ act'(z)}, written from {@code z} and {@code a = act(z)}; softmax is fused into its loss instead.
     * The rectifiers' slopes are {@code max(sign z, s)}: 1 above zero, s (0 for ReLU) at and below it, as in PyTorch.
     * Written without a branch, the loop compiles to vector instructions; a branch on the sign of
     * z mispredicts on every other element of a trained layer and ran 40× slower.
     */
    static void backward(Activation act, FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj da, FMatrixRMaj dz) {
        backward(act, z.data, a.data, da.data, dz.data, 0, z.getNumElements());
    }

    /** The same for elements [from, to). */
    static void backward(Activation act, float[] zd, float[] ad, float[] gd, float[] out, int from, int to) {
        switch (act) {
            case IDENTITY -> System.arraycopy(gd, from, out, from, to - from);
            case SIGMOID -> { for (int i = from; i < to; i++) out[i] = gd[i] * ad[i] * (1 - ad[i]); }   // σ' = σ(1−σ)
            case TANH -> { for (int i = from; i < to; i++) out[i] = gd[i] * (1 - ad[i] * ad[i]); }       // tanh' = 1−tanh²
            case RELU -> { for (int i = from; i < to; i++) out[i] = gd[i] * Math.max(Math.signum(zd[i]), 0f); }
            case LEAKY_RELU -> { for (int i = from; i < to; i++) out[i] = gd[i] * Math.max(Math.signum(zd[i]), Activation.LEAKY_SLOPE); }
            case SOFTMAX -> throw new IllegalStateException("softmax's derivative is fused into the cross-entropy loss");
            case null -> throw new NullPointerException("no activation");   // makes the compiler require every constant
        }
    }

    static float sigmoid(float z) {
        return (float) (1 / (1 + Math.exp(-z)));
    }

    /** softmax(z)_i = exp(z_i − max z) / Σ exp(z_j − max z). */
    static void softmaxRow(float[] z, float[] a, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, z[offset + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            a[offset + i] = (float) Math.exp(z[offset + i] - max);
            sum += a[offset + i];
        }
        for (int i = 0; i < n; i++) a[offset + i] = (float) (a[offset + i] / sum);
    }
}
