package dev.downhill.train;

import dev.downhill.data.DataSet;
import dev.downhill.network.Loss;

/** Measures of a model's outputs against targets. */
public final class Metrics {
    private Metrics() {}

    /**
     * Share of rows classified right: for BCE every output thresholded at 0.5 must match its
     * target; for cross-entropy the arg-max output must be the arg-max target. NaN for MSE.
     */
    public static double accuracy(Loss loss, float[] outputs, DataSet data) {
        int w = data.targetWidth(), rows = data.rows();
        if (loss == Loss.MSE || rows == 0) return Double.NaN;
        int right = 0;
        for (int r = 0; r < rows; r++) {
            boolean ok = true;
            if (loss == Loss.BCE) {
                for (int c = 0; c < w; c++) ok &= (outputs[r * w + c] >= 0.5f) == (data.target(r, c) >= 0.5f);
            } else {
                ok = argMax(outputs, r * w, w) == argMax(data.targets(), r * w, w);
            }
            if (ok) right++;
        }
        return (double) right / rows;
    }

    /**
     * Counts of (true class, predicted class): for cross-entropy k×k by arg-max; for BCE 2×2 over
     * every output thresholded at 0.5. A regression (MSE) has no classes to confuse: an error.
     */
    public static int[][] confusion(Loss loss, float[] outputs, DataSet data) {
        int w = data.targetWidth(), rows = data.rows();
        if (!loss.isClassification()) throw new IllegalArgumentException("a confusion matrix needs classes; " + loss.id() + " has none");
        int k = loss == Loss.BCE ? 2 : w;
        int[][] m = new int[k][k];
        for (int r = 0; r < rows; r++) {
            if (loss == Loss.BCE) {
                for (int c = 0; c < w; c++) m[data.target(r, c) >= 0.5f ? 1 : 0][outputs[r * w + c] >= 0.5f ? 1 : 0]++;
            } else {
                m[argMax(data.targets(), r * w, w)][argMax(outputs, r * w, w)]++;
            }
        }
        return m;
    }

    /** Mean absolute error over every output of every row, as scikit-learn's {@code mean_absolute_error} (uniform average). */
    public static double meanAbsoluteError(float[] outputs, DataSet data) {
        double sum = 0;
        float[] targets = data.targets();
        for (int i = 0; i < targets.length; i++) sum += Math.abs((double) targets[i] - outputs[i]);
        return sum / targets.length;
    }

    /** Root mean squared error over every output of every row. */
    public static double rootMeanSquaredError(float[] outputs, DataSet data) {
        double sum = 0;
        float[] targets = data.targets();
        for (int i = 0; i < targets.length; i++) sum += ((double) targets[i] - outputs[i]) * ((double) targets[i] - outputs[i]);
        return Math.sqrt(sum / targets.length);
    }

    /** Coefficient of determination R² = 1 − SS_res/SS_tot over all target columns. */
    public static double rSquared(float[] outputs, DataSet data) {
        int w = data.targetWidth(), rows = data.rows();
        double[] mean = new double[w];
        for (int r = 0; r < rows; r++) for (int c = 0; c < w; c++) mean[c] += data.target(r, c) / rows;
        double residual = 0, total = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < w; c++) {
                double y = data.target(r, c);
                residual += (y - outputs[r * w + c]) * (y - outputs[r * w + c]);
                total += (y - mean[c]) * (y - mean[c]);
            }
        }
        return 1 - residual / total;
    }

    /**
     * The classes a classifier's outputs name, as {@link #accuracy} counts them: for cross-entropy
     * one per row, the arg-max output (the first of equal ones, as {@code torch.argmax}); for BCE one
     * per output, 1 at or above 0.5, else 0. A regression (MSE) names none: an error.
     */
    public static int[] predictedClasses(Loss loss, float[] outputs, int width) {
        if (!loss.isClassification()) throw new IllegalArgumentException("a regression (" + loss.id() + ") predicts no classes");
        int rows = outputs.length / width;
        if (loss == Loss.BCE) {
            int[] labels = new int[outputs.length];
            for (int i = 0; i < outputs.length; i++) labels[i] = outputs[i] >= 0.5f ? 1 : 0;
            return labels;
        }
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) labels[r] = argMax(outputs, r * width, width);
        return labels;
    }

    public static int argMax(float[] v, int offset, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) if (v[offset + i] > v[offset + best]) best = i;
        return best;
    }

    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
