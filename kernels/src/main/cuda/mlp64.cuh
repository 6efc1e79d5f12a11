// What mlp64_step.cu and mlp64_tf32_step.cu share: the network they take and where its layers sit
// in the flat parameter layout (per layer, weights [out, in] row-major, then biases).
#pragma once

#define MLP64_WIDTH 64

struct Mlp64 {
    int in;            // input width, ≤ 64
    int out;           // output width, ≤ 16
    int hidden_act;
    int output_act;
    int loss;          // 0 MSE, 1 BCE
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
