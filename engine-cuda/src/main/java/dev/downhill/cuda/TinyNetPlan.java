package dev.downhill.cuda;

import dev.downhill.network.Network;

/**
 * How tiny_net_epoch.cu runs a row-by-row epoch of a network with one hidden layer, everything in
 * registers, or null from {@link #of} when the network or the batch does not fit it. The kernel
 * is compiled per shape; these are the shapes kernels/build-ptx.sh builds.
 *
 * @param shape widths as {@code I_H_O}: the kernel is {@code tiny_net_epoch_I_H_O} in {@code tiny_net_epoch/I_H_O.ptx}
 * @param netStruct {@code struct TinyNet}: hidden activation, output activation, loss
 */
record TinyNetPlan(String shape, int[] netStruct) {
    static final int MAX_INPUTS = 4, MAX_HIDDEN = 4, MAX_OUTPUTS = 2;

    static TinyNetPlan of(Network network, int batch) {
        if (batch != 1 || network.layers().size() != 2) return null;
        int in = network.inputWidth(), hidden = network.layers().get(0).units(), out = network.outputWidth();
        if (in > MAX_INPUTS || hidden > MAX_HIDDEN || out > MAX_OUTPUTS) return null;
        int[] net = {KernelCodes.activation(network.layers().get(0).activation()),
                KernelCodes.activation(network.outputLayer().activation()), KernelCodes.of(network.loss())};
        return new TinyNetPlan(in + "_" + hidden + "_" + out, net);
    }

    String kernel() {
        return "tiny_net_epoch_" + shape;
    }

    String resource() {
        return "tiny_net_epoch/" + shape;
    }
}
