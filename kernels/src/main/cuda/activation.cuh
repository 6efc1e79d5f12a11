// Activations shared by the kernels. A code is the position of its constant in the Java enum
// dev.downhill.network.Activation; KernelCodesTest checks every one against these defines and that
// each but identity and softmax has its case in both switches below. Softmax works across a row,
// in the cross-entropy loss kernel; elsewhere it passes z through.
#pragma once

#define ACT_IDENTITY 0
#define ACT_SIGMOID 1
#define ACT_TANH 2
#define ACT_RELU 3
#define ACT_LEAKY_RELU 4
#define ACT_SOFTMAX 5
#define ACT_LAST ACT_SOFTMAX
#define LEAKY_SLOPE 0.01f

// Every kernel that takes an activation code calls this once, on entry: a code from a newer Java
// side traps instead of falling through to the identity. (A trap in the switches' default branch
// instead cost mlp64_tf32_step_pwl_4 60 more bytes of register spills.)
__device__ __forceinline__ void require_activation(int act) {
    if (act < ACT_IDENTITY || act > ACT_LAST) __trap();
}

__device__ __forceinline__ float activate(int act, float z) {
    switch (act) {
        case ACT_SIGMOID: return 1.0f / (1.0f + expf(-z));
        case ACT_TANH: return tanhf(z);
        case ACT_RELU: return z > 0.0f ? z : 0.0f;
        case ACT_LEAKY_RELU: return z > 0.0f ? z : LEAKY_SLOPE * z;
        default: return z;
    }
}

// d act / dz written from z and a = act(z); softmax never reaches here
__device__ __forceinline__ float activation_slope(int act, float z, float a) {
    switch (act) {
        case ACT_SIGMOID: return a * (1.0f - a);
        case ACT_TANH: return 1.0f - a * a;
        case ACT_RELU: return z > 0.0f ? 1.0f : 0.0f;
        case ACT_LEAKY_RELU: return z > 0.0f ? 1.0f : LEAKY_SLOPE;
        default: return 1.0f;
    }
}
