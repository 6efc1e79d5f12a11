// One optimiser step over the flat parameter buffer, all tensors in one launch, with
// PyTorch's semantics (torch.optim.SGD, Adam, AdamW, RMSprop). The learning rate and the
// step count are read from the device so that a captured graph serves every step.
//   kind 0 SGD:      d = g + λw; v = μv + d (μ ≠ 0); w −= η·(nesterov ? d + μv : v)
//   kind 1 Adam:     g += λw; m = β1m + (1−β1)g; v = β2v + (1−β2)g²;
//                    w −= (η/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + ε)
//   kind 2 AdamW:    w −= ηλw, then Adam without λ
//   kind 3 RMSProp:  g += λw; v = αv + (1−α)g²; b = μb + g/(√v + ε); w −= η·(μ ≠ 0 ? b : g/(√v + ε))
// m and v are the optimiser's state buffers (unused ones may be null); t = *step_count + 1.
// Launch: 1-D, one thread per parameter, any block size.
extern "C" __global__ void optimizer_update(int kind, float* __restrict__ w, const float* __restrict__ g,
                                            float* __restrict__ m, float* __restrict__ v, long n,
                                            const float* __restrict__ lr_ptr, const int* __restrict__ step_count,
                                            float beta1, float beta2, float eps, float momentum,
                                            float weight_decay, int nesterov) {
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float lr = *lr_ptr;
    float wi = w[i], gi = g[i];
    if (kind == 0) {
        float d = gi + weight_decay * wi;
        if (momentum != 0.0f) {
            float vi = momentum * m[i] + d;
            m[i] = vi;
            d = nesterov ? d + momentum * vi : vi;
        }
        w[i] = wi - lr * d;
    } else if (kind == 1 || kind == 2) {
        int t = *step_count + 1;
        if (kind == 2) wi *= 1.0f - lr * weight_decay; else gi += weight_decay * wi;
        float mi = m[i] + (1.0f - beta1) * (gi - m[i]);
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float step_size = (float) (lr / (1.0 - pow((double) beta1, t)));
        float correction2_sqrt = (float) sqrt(1.0 - pow((double) beta2, t));
        w[i] = wi - step_size * mi / (sqrtf(vi) / correction2_sqrt + eps);
    } else {
        gi += weight_decay * wi;
        float vi = beta1 * v[i] + (1.0f - beta1) * gi * gi;   // beta1 carries α
        v[i] = vi;
        float scaled = gi / (sqrtf(vi) + eps);
        if (momentum != 0.0f) {
            float bi = momentum * m[i] + scaled;
            m[i] = bi;
            w[i] = wi - lr * bi;
        } else {
            w[i] = wi - lr * scaled;
        }
    }
}
