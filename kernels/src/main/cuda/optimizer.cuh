// The optimiser update of one parameter, shared by optimizer_update (the general path) and
// small_net_epoch (the fused one). PyTorch's semantics; see optimizer_update.cu for the formulas.
#pragma once

struct OptimizerArgs {
    int kind;            // 0 SGD, 1 Adam, 2 AdamW, 3 RMSProp
    float beta1;         // Adam β1; RMSProp α
    float beta2;
    float eps;
    float momentum;
    float weight_decay;
    int nesterov;
};

// Returns the new value of w; updates the state m[i], v[i]. t is the 1-based step number.
__device__ __forceinline__ float optimizer_step(const OptimizerArgs& o, float wi, float gi, float* m, float* v,
                                                long i, float lr, int t) {
    if (o.kind == 0) {
        float d = gi + o.weight_decay * wi;
        if (o.momentum != 0.0f) {
            float vi = o.momentum * m[i] + d;
            m[i] = vi;
            d = o.nesterov ? d + o.momentum * vi : vi;
        }
        return wi - lr * d;
    }
    if (o.kind == 1 || o.kind == 2) {
        if (o.kind == 2) wi *= 1.0f - lr * o.weight_decay; else gi += o.weight_decay * wi;
        float mi = m[i] + (1.0f - o.beta1) * (gi - m[i]);
        float vi = o.beta2 * v[i] + (1.0f - o.beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float step_size = (float) (lr / (1.0 - pow((double) o.beta1, t)));
        float correction2_sqrt = (float) sqrt(1.0 - pow((double) o.beta2, t));
        return wi - step_size * mi / (sqrtf(vi) / correction2_sqrt + o.eps);
    }
    gi += o.weight_decay * wi;
    float vi = o.beta1 * v[i] + (1.0f - o.beta1) * gi * gi;
    v[i] = vi;
    float scaled = gi / (sqrtf(vi) + o.eps);
    if (o.momentum != 0.0f) {
        float bi = o.momentum * m[i] + scaled;
        m[i] = bi;
        return wi - lr * bi;
    }
    return wi - lr * scaled;
}
