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
        return forward(net, params, x, rows, true);
    }

    /** The mean loss of the batch, as PyTorch defines it. */
    public static double loss(Network net, double[] params, float[] x, float[] y, int rows) {
        double[] z = forward(net, params, x, rows, false);
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

    /** ∂loss/∂θ by central differences {@code (L(θ+h) − L(θ−h)) / 2h}. */
    public static double[] numericGradient(Network net, double[] params, float[] x, float[] y, int rows) {
        double[] g = new double[params.length];
        double[] p = params.clone();
        for (int i = 0; i < p.length; i++) {
            double h = 1e-6 * Math.max(1, Math.abs(p[i]));
            p[i] = params[i] + h;
            double up = loss(net, p, x, y, rows);
            p[i] = params[i] - h;
            double down = loss(net, p, x, y, rows);
            p[i] = params[i];
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** Pre-activations of the last layer, or its activations when {@code activateLast}. */
    private static double[] forward(Network net, double[] params, float[] x, int rows, boolean activateLast) {
        ParameterLayout layout = net.layout();
        double[] in = new double[x.length];
        for (int i = 0; i < x.length; i++) in[i] = x[i];
        for (int l = 0; l < net.layers().size(); l++) {
            int nIn = net.inputWidthOf(l), nOut = net.layers().get(l).units();
            int wo = layout.weight(l).offset(), bo = layout.bias(l).offset();
            double[] out = new double[rows * nOut];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < nOut; o++) {
                    double s = params[bo + o];
                    for (int i = 0; i < nIn; i++) s += in[r * nIn + i] * params[wo + o * nIn + i];
                    out[r * nOut + o] = s;
                }
            }
            Activation act = net.layers().get(l).activation();
            boolean last = l == net.layers().size() - 1;
            if (!last || activateLast) {
                if (act == Activation.SOFTMAX) softmaxRows(out, rows, nOut);
                else for (int i = 0; i < out.length; i++) out[i] = activate(act, out[i]);
            }
            in = out;
        }
        return in;
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
