package dev.downhill.testing;

import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;

/**
 * A second, independent implementation of the forward pass and the losses in double
 * precision, written with plain loops: the ground truth that every backend is checked
 * against, with gradients by central finite differences.
 */
public final class ReferenceMlp {
    private ReferenceMlp() {}

    /** Outputs {@code [rows, outputs]} after the output activation. */
    public static double[] outputs(Network net, double[] params, float[] x, int rows) {
        return forward(net, params, x, rows, true, false, null);
    }

    /** Outputs with TF32-rounded matrix-product operands when {@code tf32}. */
    public static double[] outputs(Network net, double[] params, float[] x, int rows, boolean tf32) {
        return forward(net, params, x, rows, true, tf32, null);
    }

    /**
     * Outputs in training with dropout: hidden layer l's output multiplied element by element by
     * {@code keep[l]} (0, or 1/(1 − rate)) before the layer above reads it.
     */
    public static double[] outputs(Network net, double[] params, float[] x, int rows, float[][] keep) {
        return forward(net, params, x, rows, true, false, keep);
    }

    /** The mean loss of the batch, as PyTorch defines it. */
    public static double loss(Network net, double[] params, float[] x, float[] y, int rows) {
        return loss(net, params, x, y, rows, null);
    }

    /** The mean loss with dropout's {@code keep} factors (see {@link #outputs(Network, double[], float[], int, float[][])}), or none when null. */
    public static double loss(Network net, double[] params, float[] x, float[] y, int rows, float[][] keep) {
        double[] z = forward(net, params, x, rows, false, false, keep);
        int k = net.outputWidth();
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            switch (net.loss()) {
                case MSE -> {
                    for (int c = 0; c < k; c++) {
                        double d = activate(net.outputLayer().activation(), z[r * k + c]) - y[r * k + c];
                        sum += d * d / k;
                    }
                }
                case BCE -> {
                    for (int c = 0; c < k; c++) {
                        double p = 1 / (1 + Math.exp(-z[r * k + c]));
                        double t = y[r * k + c];
                        sum -= (t * Math.log(p) + (1 - t) * Math.log(1 - p)) / k;
                    }
                }
                case CROSS_ENTROPY -> {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < k; c++) max = Math.max(max, z[r * k + c]);
                    double s = 0;
                    for (int c = 0; c < k; c++) s += Math.exp(z[r * k + c] - max);
                    for (int c = 0; c < k; c++) sum -= y[r * k + c] * (z[r * k + c] - max - Math.log(s));
                }
            }
        }
        return sum / rows;
    }

    /**
     * ∂loss/∂θ by the chain rule in double precision, written independently of the backends:
     * δ at the output from the loss, then ∂L/∂W = δᵀ·a_prev, ∂L/∂b = Σ δ, δ_prev = (δ·W) ⊙ act'.
     */
    public static double[] gradient(Network net, double[] params, float[] x, float[] y, int rows) {
        return gradient(net, params, x, y, rows, false);
    }

    /**
     * As {@link #gradient(Network, double[], float[], float[], int)}; with {@code tf32} every operand
     * of a matrix product is first rounded to TF32 (10 mantissa bits, to nearest), as tensor cores
     * do, while everything else stays exact.
     */
    public static double[] gradient(Network net, double[] params, float[] x, float[] y, int rows, boolean tf32) {
        ParameterLayout layout = net.layout();
        int layers = net.layers().size();
        Pass forward = pass(net, params, x, rows, tf32, null);
        double[][] a = forward.a(), z = forward.z();
        int k = net.outputWidth();
        double[] delta = new double[rows * k];
        double[] out = a[layers], zl = z[layers - 1];
        for (int r = 0; r < rows; r++) {
            double targetSum = 0;
            for (int c = 0; c < k; c++) targetSum += y[r * k + c];
            for (int c = 0; c < k; c++) {
                int i = r * k + c;
                delta[i] = switch (net.loss()) {
                    case MSE -> 2 * (out[i] - y[i]) / (rows * k) * slope(net.outputLayer().activation(), zl[i], out[i]);
                    case BCE -> (out[i] - y[i]) / (rows * k);
                    case CROSS_ENTROPY -> (targetSum * out[i] - y[i]) / rows;
                };
            }
        }
        double[] g = new double[params.length];
        for (int l = layers - 1; l >= 0; l--) {
            int nIn = net.inputWidthOf(l), nOut = net.layers().get(l).units();
            int wo = layout.weight(l).offset(), bo = layout.bias(l).offset();
            double[] below = new double[rows * nIn];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < nOut; o++) {
                    double d = delta[r * nOut + o], dt = op(d, tf32);
                    g[bo + o] += d;
                    for (int i = 0; i < nIn; i++) {
                        g[wo + o * nIn + i] += dt * op(a[l][r * nIn + i], tf32);
                        below[r * nIn + i] += dt * op(params[wo + o * nIn + i], tf32);
                    }
                }
            }
            if (l > 0) {
                Activation act = net.layers().get(l - 1).activation();
                for (int i = 0; i < below.length; i++) below[i] *= slope(act, z[l - 1][i], a[l][i]);
            }
            delta = below;
        }
        return g;
    }

    /** A matrix-product operand: itself, or rounded to TF32 (float32 with its low 13 mantissa bits rounded off). */
    static double op(double v, boolean tf32) {
        if (!tf32) return v;
        int bits = Float.floatToRawIntBits((float) v);
        bits = (bits + 0xFFF + ((bits >> 13) & 1)) & 0xFFFFE000;
        return Float.intBitsToFloat(bits);
    }

    private static double slope(Activation act, double z, double a) {
        return switch (act) {
            case IDENTITY, SOFTMAX -> 1;
            case SIGMOID -> a * (1 - a);
            case TANH -> 1 - a * a;
            case RELU -> z > 0 ? 1 : 0;
            case LEAKY_RELU -> z > 0 ? 1 : 0.01;
        };
    }

    /**
     * θ after row-order steps of {@code batch} rows, in double precision throughout: the exact
     * math that float32 training approximates.
     */
    public static double[] train(Network net, float[] initial, dev.downhill.optim.Optimizer optimizer,
                                 dev.downhill.data.DataSet data, int[] order, int batch) {
        return train(net, initial, optimizer, data, order, batch, 1, false);
    }

    /** As {@link #train}, for {@code epochs} epochs over the same order, with TF32-rounded product operands when {@code tf32}. */
    public static double[] train(Network net, float[] initial, dev.downhill.optim.Optimizer optimizer,
                                 dev.downhill.data.DataSet data, int[] order, int batch, int epochs, boolean tf32) {
        double[] theta = toDouble(initial);
        ReferenceOptimizer opt = new ReferenceOptimizer(optimizer, theta.length);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int start = 0; start < order.length; start += batch) {
                int[] rows = java.util.Arrays.copyOfRange(order, start, Math.min(order.length, start + batch));
                dev.downhill.data.DataSet b = data.select(rows);
                opt.step(theta, gradient(net, theta, b.features(), b.targets(), rows.length, tf32));
            }
        }
        return theta;
    }

    /** ∂loss/∂θ by central differences {@code (L(θ+h) − L(θ−h)) / 2h}. */
    public static double[] numericGradient(Network net, double[] params, float[] x, float[] y, int rows) {
        return numericGradient(net, params, x, y, rows, null);
    }

    /** As {@link #numericGradient(Network, double[], float[], float[], int)}, of the loss with dropout's {@code keep} factors. */
    public static double[] numericGradient(Network net, double[] params, float[] x, float[] y, int rows, float[][] keep) {
        double[] g = new double[params.length];
        double[] p = params.clone();
        for (int i = 0; i < p.length; i++) {
            double h = 1e-6 * Math.max(1, Math.abs(p[i]));
            p[i] = params[i] + h;
            double up = loss(net, p, x, y, rows, keep);
            p[i] = params[i] - h;
            double down = loss(net, p, x, y, rows, keep);
            p[i] = params[i];
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** Pre-activations of the last layer, or its activations when {@code activateLast}. */
    private static double[] forward(Network net, double[] params, float[] x, int rows, boolean activateLast, boolean tf32,
                                    float[][] keep) {
        Pass p = pass(net, params, x, rows, tf32, keep);
        return activateLast ? p.a()[p.z().length] : p.z()[p.z().length - 1];
    }

    /** Every layer's pre-activations {@code z[l]} and activations {@code a[l+1]}; {@code a[0]} is the input. */
    private record Pass(double[][] z, double[][] a) {}

    private static Pass pass(Network net, double[] params, float[] x, int rows, boolean tf32, float[][] keep) {
        ParameterLayout layout = net.layout();
        int layers = net.layers().size();
        double[][] a = new double[layers + 1][];
        double[][] z = new double[layers][];
        a[0] = new double[x.length];
        for (int i = 0; i < x.length; i++) a[0][i] = x[i];
        for (int l = 0; l < layers; l++) {
            int nIn = net.inputWidthOf(l), nOut = net.layers().get(l).units();
            int wo = layout.weight(l).offset(), bo = layout.bias(l).offset();
            z[l] = new double[rows * nOut];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < nOut; o++) {
                    double s = params[bo + o];
                    for (int i = 0; i < nIn; i++) s += op(a[l][r * nIn + i], tf32) * op(params[wo + o * nIn + i], tf32);
                    z[l][r * nOut + o] = s;
                }
            }
            a[l + 1] = z[l].clone();
            Activation act = net.layers().get(l).activation();
            if (act == Activation.SOFTMAX) softmaxRows(a[l + 1], rows, nOut);
            else for (int i = 0; i < a[l + 1].length; i++) a[l + 1][i] = activate(act, z[l][i]);
            if (keep != null && l < layers - 1) for (int i = 0; i < a[l + 1].length; i++) a[l + 1][i] *= keep[l][i];
        }
        return new Pass(z, a);
    }

    static double activate(Activation act, double z) {
        return switch (act) {
            case IDENTITY, SOFTMAX -> z;
            case SIGMOID -> 1 / (1 + Math.exp(-z));
            case TANH -> Math.tanh(z);
            case RELU -> Math.max(z, 0);
            case LEAKY_RELU -> z > 0 ? z : 0.01 * z;
        };
    }

    private static void softmaxRows(double[] v, int rows, int k) {
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int c = 0; c < k; c++) max = Math.max(max, v[r * k + c]);
            for (int c = 0; c < k; c++) s += Math.exp(v[r * k + c] - max);
            for (int c = 0; c < k; c++) v[r * k + c] = Math.exp(v[r * k + c] - max) / s;
        }
    }

    public static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
