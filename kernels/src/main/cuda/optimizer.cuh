// The optimiser update of one parameter, shared by optimizer_update (the general path) and the
// one-launch epoch kernels. PyTorch's semantics; see optimizer_update.cu for the formulas.
#pragma once

// Codes match dev.downhill.cuda.KernelCodes (KernelCodesTest checks)
#define OPT_SGD 0
#define OPT_ADAM 1
#define OPT_ADAMW 2
#define OPT_RMSPROP 3
#define OPT_LAST OPT_RMSPROP

// On entry to every kernel that takes an optimiser: an unknown kind traps instead of running as RMSProp.
__device__ __forceinline__ void require_optimizer(int kind) {
    if (kind < OPT_SGD || kind > OPT_LAST) __trap();
}

struct OptimizerArgs {
    int kind;            // OPT_SGD, OPT_ADAM, OPT_ADAMW or OPT_RMSPROP
    float beta1;         // Adam β1; RMSProp α
    float beta2;
    float eps;
    float momentum;
    float weight_decay;
    int nesterov;
};

// What a step needs beyond the parameter: the learning rate and Adam's bias corrections, which
// depend on the step number t (1-based) only, so a kernel that updates many parameters per
// thread computes them (two double-precision powers) once.
struct StepScalars {
    float lr;
    float step_size;           // Adam: η / (1 − β1ᵗ)
    float correction2_sqrt;    // Adam: √(1 − β2ᵗ)
};

__device__ __forceinline__ StepScalars step_scalars(const OptimizerArgs& o, float lr, int t) {
    StepScalars s = {lr, 0.0f, 0.0f};
    if (o.kind == OPT_ADAM || o.kind == OPT_ADAMW) {
        s.step_size = (float) (lr / (1.0 - pow((double) o.beta1, t)));
        s.correction2_sqrt = (float) sqrt(1.0 - pow((double) o.beta2, t));
    }
    return s;
}

// Returns the new value of w and updates its state m, v in place.
__device__ __forceinline__ float optimizer_apply(const OptimizerArgs& o, const StepScalars& s, float wi, float gi,
                                                 float& m, float& v) {
    if (o.kind == OPT_SGD) {
        float d = gi + o.weight_decay * wi;
        if (o.momentum != 0.0f) {
            m = o.momentum * m + d;
            d = o.nesterov ? d + o.momentum * m : m;
        }
        return wi - s.lr * d;
    }
    if (o.kind == OPT_ADAM || o.kind == OPT_ADAMW) {
        if (o.kind == OPT_ADAMW) wi *= 1.0f - s.lr * o.weight_decay; else gi += o.weight_decay * wi;
        m = m + (1.0f - o.beta1) * (gi - m);
        v = o.beta2 * v + (1.0f - o.beta2) * gi * gi;
        return wi - s.step_size * m / (sqrtf(v) / s.correction2_sqrt + o.eps);
    }
    gi += o.weight_decay * wi;
    v = o.beta1 * v + (1.0f - o.beta1) * gi * gi;
    const float scaled = gi / (sqrtf(v) + o.eps);
    if (o.momentum != 0.0f) {
        m = o.momentum * m + scaled;
        return wi - s.lr * m;
    }
    return wi - s.lr * scaled;
}

// Whether the kind keeps a first (m) or second (v) moment, so that kernels on memory skip the rest.
__device__ __forceinline__ bool uses_first_moment(const OptimizerArgs& o) {
    return o.kind == OPT_ADAM || o.kind == OPT_ADAMW || o.momentum != 0.0f;
}

__device__ __forceinline__ bool uses_second_moment(const OptimizerArgs& o) {
    return o.kind != OPT_SGD;
}

// The update of parameter i whose state lives in the buffers m and v.
__device__ __forceinline__ float optimizer_step(const OptimizerArgs& o, const StepScalars& s, float wi, float gi,
                                                float* m, float* v, long i) {
    float mi = uses_first_moment(o) ? m[i] : 0.0f, vi = uses_second_moment(o) ? v[i] : 0.0f;
    const float w = optimizer_apply(o, s, wi, gi, mi, vi);
    if (uses_first_moment(o)) m[i] = mi;
    if (uses_second_moment(o)) v[i] = vi;
    return w;
}
