package dev.downhill.cpu;

import java.util.List;

/** Adam and AdamW as {@code torch.optim.Adam}/{@code AdamW}, with bias correction. */
final class AdamUpdate extends ParameterUpdate {
    private final float beta1, beta2, epsilon, weightDecay;
    private final boolean decoupled;
    private final float[][] m, v;

    AdamUpdate(float beta1, float beta2, float epsilon, float weightDecay, boolean decoupled,
               List<float[]> params, List<float[]> grads) {
        super(params, grads);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.m = stateLike(params);
        this.v = stateLike(params);
    }

    @Override float[][] first() { return m; }

    @Override float[][] second() { return v; }

    @Override
    void update(int t, float[] w, float[] g, float lr) {
        float[] mt = m[t], vt = v[t];
        int step = steps();
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));             // η/(1−β1ᵗ)
        float correction2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));     // √(1−β2ᵗ)
        for (int i = 0; i < w.length; i++) {
            float gi = g[i];
            if (decoupled) w[i] *= 1 - lr * weightDecay;                           // AdamW: w −= ηλw
            else gi += weightDecay * w[i];                                          // Adam: g += λw
            mt[i] += (1 - beta1) * (gi - mt[i]);                                    // m = β1m + (1−β1)g
            vt[i] = beta2 * vt[i] + (1 - beta2) * gi * gi;                          // v = β2v + (1−β2)g²
            w[i] -= stepSize * mt[i] / ((float) Math.sqrt(vt[i]) / correction2Sqrt + epsilon);
        }
    }
}
