package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;

/**
 * How mlp64_step.cu computes a training step's gradient in one launch, or null from {@link #of}
 * when the network or the batch does not fit it: one to four hidden layers of exactly 64 units,
 * at most 64 inputs and 16 outputs, MSE or BCE, and a batch large enough to fill the device
 * (smaller ones gain nothing over the general path).
 *
 * @param hiddenLayers NH, which selects the kernel {@code mlp64_step_NH}
 * @param netStruct {@code struct Mlp64}: in, out, hidden activation, output activation, loss
 * @param sharedBytes dynamic shared memory per block
 */
record Mlp64Plan(int hiddenLayers, int[] netStruct, int sharedBytes) {
    static final int WIDTH = 64, MAX_INPUTS = 64, MAX_OUTPUTS = 16, MAX_HIDDEN_LAYERS = 4, MIN_BATCH = 512;
    private static final int THREADS = 256, TILE = 32, OUT_MAX = 16, S = 68, SO = 20;

    static Mlp64Plan of(Network network, int batch) {
        int layers = network.layers().size(), hidden = layers - 1;
        if (batch < MIN_BATCH || hidden < 1 || hidden > MAX_HIDDEN_LAYERS) return null;
        if (network.inputWidth() > MAX_INPUTS || network.outputWidth() > MAX_OUTPUTS) return null;
        if (network.loss() == Loss.CROSS_ENTROPY) return null;
        Activation hiddenActivation = network.layers().get(0).activation();
        for (int l = 0; l < hidden; l++) {
            var layer = network.layers().get(l);
            if (layer.units() != WIDTH || layer.activation() != hiddenActivation) return null;
        }
        int[] net = {network.inputWidth(), network.outputWidth(), LossCode.activation(hiddenActivation),
                LossCode.activation(network.outputLayer().activation()), LossCode.of(network.loss())};
        return new Mlp64Plan(hidden, net, 4 * sharedFloats(hidden));
    }

    /** Floats of dynamic shared memory for NH hidden layers: the layout in mlp64_step.cu's header. */
    static int sharedFloats(int nh) {
        return nh * WIDTH * S + (nh - 1) * WIDTH * S + OUT_MAX * S + WIDTH * SO + nh * WIDTH + OUT_MAX
                + (nh + 1) * TILE * S + TILE * SO + TILE * OUT_MAX + THREADS / 32;
    }

    String kernel() {
        return "mlp64_step_" + hiddenLayers;
    }

    /** Persistent blocks: one per multiprocessor, at most one per tile of 32 rows. */
    int blocks(int multiprocessors, int rows) {
        return Math.max(1, Math.min(multiprocessors, (rows + TILE - 1) / TILE));
    }
}
