package dev.downhill.cpu;

import dev.downhill.optim.Optimizer;

import java.util.List;

/** RMSProp as {@code torch.optim.RMSprop} (not centered). */
final class RmsPropUpdate extends ParameterUpdate {
    private final float alpha, epsilon, momentum, weightDecay;
    private final float[][] squareAverage, buffer;

    RmsPropUpdate(Optimizer.RmsProp rms, List<float[]> params, List<float[]> grads) {
        super(params, grads);
        this.alpha = rms.alpha();
        this.epsilon = rms.epsilon();
        this.momentum = rms.momentum();
        this.weightDecay = rms.weightDecay();
        this.squareAverage = stateLike(params);
        this.buffer = stateLike(params);
    }

    @Override float[][] first() { return buffer; }

    @Override float[][] second() { return squareAverage; }

    @Override
    void update(int t, float[] w, float[] g, float lr) {
        float[] sq = squareAverage[t], b = buffer[t];
        for (int i = 0; i < w.length; i++) {
            float gi = g[i] + weightDecay * w[i];                  // g + λw
            sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;         // v = αv + (1−α)g²
            float scaled = gi / ((float) Math.sqrt(sq[i]) + epsilon);
            if (momentum != 0) {
                b[i] = momentum * b[i] + scaled;                   // b = μb + g/(√v+ε)
                w[i] -= lr * b[i];
            } else {
                w[i] -= lr * scaled;                               // w −= η·g/(√v+ε)
            }
        }
    }
}
