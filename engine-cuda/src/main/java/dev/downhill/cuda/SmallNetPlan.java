package dev.downhill.cuda;

import dev.downhill.network.Network;

/**
 * How small_net_epoch.cu runs a network's epoch in one block, or null from {@link #of} when the
 * network is too large for it: every parameter, its gradient and the batch's activations must
 * fit in 48 KiB of shared memory, with at most 8 layers. Tiny work (the seed network row by row)
 * gets one warp; more gets 256 threads.
 */
record SmallNetPlan(int batch, int threads, int sharedBytes, int[] netStruct) {
    static final int MAX_LAYERS = 8;
    static final int MAX_SHARED_BYTES = 48 * 1024;
    /** Above this many parameters the general path (cuBLAS) is as fast or faster. */
    static final int MAX_PARAMETERS = 4096;

    static SmallNetPlan of(Network network, int batch) {
        int layers = network.layers().size();
        int parameters = network.layout().size();
        if (layers > MAX_LAYERS || parameters > MAX_PARAMETERS) return null;
        long widths = network.inputWidth(), maxWidth = network.maxWidth();
        for (var l : network.layers()) widths += 2L * l.units();
        int threads = (long) batch * maxWidth <= 32 && parameters <= 256 ? 32 : 256;
        long floats = 2L * parameters + batch * (widths + network.outputWidth() + 2 * maxWidth) + threads;
        if (4 * floats > MAX_SHARED_BYTES) return null;
        int[] net = new int[1 + (MAX_LAYERS + 1) + MAX_LAYERS + 1];
        net[0] = layers;
        net[1] = network.inputWidth();
        for (int l = 0; l < layers; l++) {
            net[2 + l] = network.layers().get(l).units();
            net[1 + MAX_LAYERS + 1 + l] = KernelCodes.activation(network.layers().get(l).activation());
        }
        net[net.length - 1] = KernelCodes.of(network.loss());
        return new SmallNetPlan(batch, threads, (int) (4 * floats), net);
    }
}
