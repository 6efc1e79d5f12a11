package dev.downhill.testing;

/**
 * The seed material's 2-2-1 network (CGPA, profile score → package) written out by hand:
 * sigmoid hidden units, a linear output, squared error of one row, and every partial
 * derivative by the chain rule, in double precision. Parameters in layout order:
 * {@code w11 w12 w21 w22 b1 b2 v1 v2 c}.
 */
public final class SeedNet {
    private SeedNet() {}

    /** ∂L/∂θ for one row, L = (ŷ − y)². */
    public static double[] gradient(double[] p, double x1, double x2, double y) {
        double w11 = p[0], w12 = p[1], w21 = p[2], w22 = p[3], b1 = p[4], b2 = p[5], v1 = p[6], v2 = p[7], c = p[8];
        double h1 = sigmoid(w11 * x1 + w12 * x2 + b1);
        double h2 = sigmoid(w21 * x1 + w22 * x2 + b2);
        double yHat = v1 * h1 + v2 * h2 + c;
        double dL = 2 * (yHat - y);                    // ∂L/∂ŷ
        double d1 = dL * v1 * h1 * (1 - h1);           // ∂L/∂z1 = ∂L/∂ŷ · ∂ŷ/∂h1 · ∂h1/∂z1
        double d2 = dL * v2 * h2 * (1 - h2);
        return new double[] {d1 * x1, d1 * x2, d2 * x1, d2 * x2, d1, d2, dL * h1, dL * h2, dL};
    }

    public static double loss(double[] p, double x1, double x2, double y) {
        double h1 = sigmoid(p[0] * x1 + p[1] * x2 + p[4]);
        double h2 = sigmoid(p[2] * x1 + p[3] * x2 + p[5]);
        double d = p[6] * h1 + p[7] * h2 + p[8] - y;
        return d * d;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
