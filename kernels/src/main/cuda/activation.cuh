// Activations shared by the kernels. Codes match dev.downhill.cuda.KernelCodes (KernelCodesTest checks):
// 0 identity, 1 sigmoid, 2 tanh, 3 relu, 4 leaky relu (slope 0.01), 5 softmax (row-wise,
// handled by the cross-entropy loss kernel; elsewhere it passes z through).
#pragma once

#define ACT_IDENTITY 0
#define ACT_SIGMOID 1
#define ACT_TANH 2
#define ACT_RELU 3
#define ACT_LEAKY_RELU 4
#define ACT_SOFTMAX 5
#define LEAKY_SLOPE 0.01f

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
