// The loss of one output element and its ∂L/∂z, for the elementwise losses, shared by every kernel
// that computes a loss (loss_delta, small_net_epoch, mlp64_step; tiny_net_epoch writes them out,
// see there). inv_n is one over the number of elements the loss averages.
//   loss 0, MSE:  (a − y)²,  dz = 2(a − y)/n · act'(z)
//   loss 1, BCE (sigmoid output, from the logit):  max(z,0) − z·y + log(1 + e^−|z|),  dz = (σ(z) − y)/n
#pragma once
#include "activation.cuh"

#define LOSS_MSE 0
#define LOSS_BCE 1
#define LOSS_CROSS_ENTROPY 2
#define LOSS_LAST LOSS_CROSS_ENTROPY

// On entry to every kernel that takes a loss code: an unknown one traps (see require_activation).
__device__ __forceinline__ void require_loss(int loss) {
    if (loss < LOSS_MSE || loss > LOSS_LAST) __trap();
}

__device__ __forceinline__ float elementwise_loss(int loss, int out_act, float z, float a, float y, float inv_n,
                                                  float& dz) {
    if (loss == LOSS_MSE) {
        const float diff = a - y;
        dz = 2.0f * diff * inv_n * activation_slope(out_act, z, a);
        return diff * diff;
    }
    dz = (a - y) * inv_n;
    return fmaxf(z, 0.0f) - z * y + log1pf(expf(-fabsf(z)));
}
