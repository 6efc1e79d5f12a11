package dev.downhill.data;

import dev.downhill.InputException;

import java.util.Arrays;

/**
 * Feature standardisation {@code x' = (x − μ)/σ} with per-column statistics measured on
 * the training data ({@code σ} the population standard deviation; 1 for a constant column).
 * The statistics travel with the model so that predictions see the same scaling.
 */
public record Standardizer(float[] mean, float[] std) implements java.io.Serializable {

    public Standardizer {
        if (mean.length != std.length) throw new IllegalArgumentException("mean and std differ in length");
    }

    public static Standardizer fit(DataSet data) {
        int w = data.featureWidth(), n = data.rows();
        float[] mean = new float[w];
        float[] std = new float[w];
        for (int c = 0; c < w; c++) {
            double sum = 0;
            for (int r = 0; r < n; r++) sum += data.feature(r, c);
            double mu = sum / n;
            double squares = 0;
            for (int r = 0; r < n; r++) {
                double d = data.feature(r, c) - mu;
                squares += d * d;
            }
            mean[c] = (float) mu;
            std[c] = scale(Math.sqrt(squares / n));
        }
        return new Standardizer(mean, std);
    }

    /** From a column's mean and population standard deviation, measured elsewhere (by Spark, over a whole data set). */
    public static Standardizer of(double[] mean, double[] sigma) {
        float[] m = new float[mean.length], s = new float[sigma.length];
        for (int c = 0; c < mean.length; c++) {
            m[c] = (float) mean[c];
            s[c] = scale(sigma[c]);
        }
        return new Standardizer(m, s);
    }

    /** What a feature is divided by: σ, or 1 for a constant column, which σ would blow up. */
    private static float scale(double sigma) {
        return sigma > 1e-12 ? (float) sigma : 1f;
    }

    /** A new data set with standardised features and the same targets. */
    public DataSet apply(DataSet data) {
        if (data.featureWidth() != mean.length) {
            throw new InputException("the model was standardised on " + mean.length + " features, the data has "
                    + data.featureWidth());
        }
        return new DataSet(apply(data.features()), data.targets(), data.featureNames(), data.targetNames());
    }

    /**
     * Standardised copies of feature rows {@code [rows, mean.length]}, row-major. The difference is
     * taken in double: two floats near ±3e38 differ by more than a float holds, their ratio to σ does not.
     */
    public float[] apply(float[] features) {
        float[] f = features.clone();
        for (int i = 0; i < f.length; i++) {
            int c = i % mean.length;
            f[i] = (float) (((double) f[i] - mean[c]) / std[c]);
        }
        return f;
    }

    /**
     * The statistics saved in a checkpoint's metadata, checked: one finite mean and one finite,
     * positive σ per input. {@code source} names the file in errors.
     */
    public static Standardizer fromSaved(String meanText, String stdText, int inputs, String source) {
        if (meanText == null || stdText == null) {
            throw new InputException(source + ": the standardisation statistics are incomplete ("
                    + (meanText == null ? "no mean" : "no std") + ")");
        }
        float[] mean = parse(meanText, source + ": the saved mean"), std = parse(stdText, source + ": the saved std");
        if (mean.length != inputs || std.length != inputs) {
            throw new InputException(source + ": the standardisation statistics hold " + mean.length + " means and "
                    + std.length + " standard deviations for a network of " + inputs + " inputs");
        }
        for (int c = 0; c < inputs; c++) {
            if (!Float.isFinite(mean[c])) throw new InputException(source + ": the saved mean of input " + c + " is " + mean[c]);
            if (!(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new InputException(source + ": the saved standard deviation of input " + c + " is " + std[c]
                        + " (it must be a positive number)");
            }
        }
        return new Standardizer(mean, std);
    }

    /**
     * The parameters of a network that computes on raw features what {@code parameters} compute on
     * standardised ones: the standardisation folded into the first layer,
     * {@code W'[o][i] = W[o][i]/σ_i} and {@code b'[o] = b[o] − Σ_i W[o][i]·μ_i/σ_i} (the sum in double).
     * Every other layer is copied as it is.
     */
    public float[] foldInto(dev.downhill.network.Network network, float[] parameters) {
        if (network.inputWidth() != mean.length) {
            throw new InputException("the statistics are for " + mean.length + " inputs, network " + network.widths()
                    + " takes " + network.inputWidth());
        }
        var layout = network.layout();
        var weight = layout.weight(0);
        var bias = layout.bias(0);
        float[] folded = parameters.clone();
        int in = network.inputWidth();
        for (int o = 0; o < weight.shape()[0]; o++) {
            double shift = 0;
            for (int i = 0; i < in; i++) {
                float w = parameters[weight.offset() + o * in + i];
                folded[weight.offset() + o * in + i] = w / std[i];
                shift += (double) w * mean[i] / std[i];
            }
            folded[bias.offset() + o] = (float) (parameters[bias.offset() + o] - shift);
        }
        return folded;
    }

    /** Comma-separated values, the form kept in checkpoint metadata. */
    public static String format(float[] values) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) s.append(',');
            s.append(values[i]);
        }
        return s.toString();
    }

    public static float[] parse(String text, String what) {
        String[] parts = text.split(",");
        float[] out = new float[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) out[i] = Float.parseFloat(parts[i]);
        } catch (NumberFormatException e) {
            throw new InputException(what + " is not a list of numbers: '" + CsvCell.clip(text) + "'");
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }
}
