package dev.downhill.cpu;

import dev.downhill.optim.Optimizer;

import java.util.List;

/** SGD as {@code torch.optim.SGD}: weight decay, momentum, Nesterov. */
final class SgdUpdate extends ParameterUpdate {
    private final float momentum, weightDecay;
    private final boolean nesterov;
    private final float[][] velocity;

    SgdUpdate(Optimizer.Sgd sgd, List<float[]> params, List<float[]> grads) {
        super(params, grads);
        this.momentum = sgd.momentum();
        this.weightDecay = sgd.weightDecay();
        this.nesterov = sgd.nesterov();
        this.velocity = stateLike(params);
    }

    @Override float[][] first() { return velocity; }

    @Override float[][] second() { return null; }

    @Override
    void update(int t, float[] w, float[] g, float lr) {
        float[] v = velocity[t];
        for (int i = 0; i < w.length; i++) {
            float d = g[i] + weightDecay * w[i];      // g + λw
            if (momentum != 0) {
                v[i] = momentum * v[i] + d;           // v = μv + g
                d = nesterov ? d + momentum * v[i] : v[i];
            }
            w[i] -= lr * d;                           // w −= η·d
        }
    }
}
