// What mlp64_step.cu and mlp64_tf32_step.cu share: the network they take, its hidden activation, and where its layers sit
// in the flat parameter layout (per layer, weights [out, in] row-major, then biases).
#pragma once
#include "activation.cuh"

#define MLP64_WIDTH 64
#define MLP64_THREADS 256

struct Mlp64 {
    int in;            // input width, ≤ 64
    int out;           // output width, ≤ 16
    int hidden_act;
    int output_act;
    int loss;          // LOSS_MSE or LOSS_BCE
};

// woff[l], boff[l]: offsets of layer l's weights and biases (l = NH is the output layer); returns
// the parameter count
template <int NH>
__device__ __forceinline__ int mlp64_layout(const Mlp64& net, int (&woff)[NH + 1], int (&boff)[NH + 1]) {
    woff[0] = 0;
    boff[0] = MLP64_WIDTH * net.in;
    for (int l = 1; l <= NH; l++) {
        woff[l] = boff[l - 1] + MLP64_WIDTH;
        boff[l] = woff[l] + (l < NH ? MLP64_WIDTH * MLP64_WIDTH : net.out * MLP64_WIDTH);
    }
    return boff[NH] + net.out;
}

// The hidden activation. A piecewise-linear one (PWL: identity, ReLU, leaky ReLU) is z for z > 0
// and negative_slope·z below, its derivative 1 or negative_slope by the sign of its value: a select
// per element instead of a switch on the activation (ReLU gives −0 for negative z, which adds and
// multiplies as 0). The slope is taken from the activation's value alone (z is not kept), which is
// exact for the activations EpochPath.FUSED_MLP declares; path choice keeps any other off this kernel.
struct HiddenActivation {
    int code;
    float negative_slope;
    __device__ HiddenActivation(int act)
        : code(act), negative_slope(act == ACT_RELU ? 0.0f : act == ACT_LEAKY_RELU ? LEAKY_SLOPE : 1.0f) {}
    template <bool PWL>
    __device__ __forceinline__ float value(float z) const {
        return PWL ? (z > 0.0f ? z : negative_slope * z) : activate(code, z);
    }
    template <bool PWL>
    __device__ __forceinline__ float slope(float a) const {
        return PWL ? (a > 0.0f ? 1.0f : negative_slope) : activation_slope(code, a, a);
    }
};

// The block's loss, in two halves around a __syncthreads the caller has anyway: each warp's sum
// into red[warp], then thread 0 adds the warps' sums in a fixed order into loss_partials[block].
__device__ __forceinline__ void warp_loss_to_shared(float loss, float* red) {
    for (int offset = 16; offset > 0; offset >>= 1) loss += __shfl_down_sync(0xffffffffu, loss, offset);
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = loss;
}

__device__ __forceinline__ void block_loss_out(const float* red, float* loss_partials) {
    if (threadIdx.x == 0) {
        float total = 0.0f;
        for (int w = 0; w < MLP64_THREADS / 32; w++) total += red[w];
        loss_partials[blockIdx.x] = total;
    }
}
