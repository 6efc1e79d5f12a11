package dev.downhill.cpu;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import org.ejml.data.FMatrixRMaj;

/**
 * Each loss with its gradient with respect to the output layer's pre-activation {@code z},
 * so that sigmoid+BCE and softmax+cross-entropy use their stable combined forms.
 * Shapes: {@code z, a, y, dz} all {@code [rows, outputs]}, {@code a = act(z)}.
 */
final class Losses {
    private Losses() {}

    /** Returns the mean loss of the batch and writes {@code dz = ∂L/∂z}. */
    static float lossAndDelta(Loss loss, Activation outAct, FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj y,
                              FMatrixRMaj scratch, FMatrixRMaj dz) {
        return switch (loss) {
            case MSE -> mse(outAct, z, a, y, scratch, dz);
            case BCE -> bceFromLogits(z, a, y, dz);
            case CROSS_ENTROPY -> softmaxCrossEntropy(z, a, y, dz);
        };
    }

    /** L = mean((a − y)²); ∂L/∂a = 2(a − y)/n; dz = ∂L/∂a ⊙ act'(z). */
    static float mse(Activation outAct, FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj y, FMatrixRMaj da, FMatrixRMaj dz) {
        int n = a.getNumElements();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float diff = a.data[i] - y.data[i];
            sum += diff * diff;
            da.data[i] = 2 * diff / n;
        }
        Activations.backward(outAct, z, a, da, dz);
        return (float) (sum / n);
    }

    /** L = mean(max(z,0) − z·y + log(1 + e^−|z|)) (= BCE of σ(z)); dz = (σ(z) − y)/n. */
    static float bceFromLogits(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj y, FMatrixRMaj dz) {
        int n = z.getNumElements();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float zi = z.data[i];
            sum += Math.max(zi, 0f) - zi * y.data[i] + Math.log1p(Math.exp(-Math.abs(zi)));
            dz.data[i] = (a.data[i] - y.data[i]) / n;
        }
        return (float) (sum / n);
    }

    /** L = mean over rows of Σ_c y_c·(logΣexp(z) − z_c); dz = (s·softmax(z) − y)/rows with s = Σ_c y_c. */
    static float softmaxCrossEntropy(FMatrixRMaj z, FMatrixRMaj a, FMatrixRMaj y, FMatrixRMaj dz) {
        int rows = z.numRows, k = z.numCols;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) max = Math.max(max, z.data[o + c]);
            double expSum = 0;
            for (int c = 0; c < k; c++) expSum += Math.exp(z.data[o + c] - max);
            double logSumExp = max + Math.log(expSum);
            float targetSum = 0;
            for (int c = 0; c < k; c++) {
                sum += y.data[o + c] * (logSumExp - z.data[o + c]);
                targetSum += y.data[o + c];
            }
            for (int c = 0; c < k; c++) dz.data[o + c] = (targetSum * a.data[o + c] - y.data[o + c]) / rows;
        }
        return (float) (sum / rows);
    }
}
