package dev.downhill.testing;

import dev.downhill.optim.Optimizer;

/** The optimisers' update rules again, in double precision and in the words of PyTorch's docs. */
public final class ReferenceOptimizer {
    private final Optimizer optimizer;
    private final double[] m, v;
    private int t;

    public ReferenceOptimizer(Optimizer optimizer, int size) {
        this.optimizer = optimizer;
        this.m = new double[size];
        this.v = new double[size];
    }

    /** One step of θ from gradient g. */
    public void step(double[] theta, double[] g) {
        t++;
        for (int i = 0; i < theta.length; i++) {
            switch (optimizer) {
                case Optimizer.Sgd s -> {
                    double d = g[i] + s.weightDecay() * theta[i];
                    if (s.momentum() != 0) {
                        m[i] = t == 1 ? d : s.momentum() * m[i] + d;
                        d = s.nesterov() ? d + s.momentum() * m[i] : m[i];
                    }
                    theta[i] -= s.learningRate() * d;
                }
                case Optimizer.Adam a -> theta[i] = adam(i, theta[i], g[i] + a.weightDecay() * theta[i],
                        a.learningRate(), a.beta1(), a.beta2(), a.epsilon());
                case Optimizer.AdamW a -> theta[i] = adam(i, theta[i] * (1 - a.learningRate() * a.weightDecay()), g[i],
                        a.learningRate(), a.beta1(), a.beta2(), a.epsilon());
                case Optimizer.RmsProp r -> {
                    double d = g[i] + r.weightDecay() * theta[i];
                    v[i] = r.alpha() * v[i] + (1 - r.alpha()) * d * d;
                    double scaled = d / (Math.sqrt(v[i]) + r.epsilon());
                    m[i] = r.momentum() * m[i] + scaled;
                    theta[i] -= r.learningRate() * (r.momentum() != 0 ? m[i] : scaled);
                }
            }
        }
    }

    private double adam(int i, double w, double g, double lr, double b1, double b2, double eps) {
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = v[i] / (1 - Math.pow(b2, t));
        return w - lr * mHat / (Math.sqrt(vHat) + eps);
    }
}
