package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Network;

/**
 * How a training step's gradient of a narrow MLP is computed in one launch, or null from {@link #of}
 * when the network or the batch does not fit: one to four hidden layers of exactly 64 units, at
 * most 64 inputs and 16 outputs, the math {@link EpochPath#FUSED_MLP} declares, and a batch large enough to fill the device (smaller
 * ones gain nothing over the general path). In float32, mlp64_step.cu (CUDA cores); in TF32 on a
 * device with tensor cores for it, mlp64_tf32_step.cu. Both are mlp64_step.cuh's step on tiles of
 * 64 rows, with the same shared-memory layout.
 *
 * @param hiddenLayers NH, which selects the kernel {@code …_NH}
 * @param tensorCores whether the TF32 tensor-core kernel computes it
 * @param netStruct {@code struct Mlp64}: in, out, hidden activation, output activation, loss
 * @param sharedBytes dynamic shared memory per block
 */
record Mlp64Plan(int hiddenLayers, boolean tensorCores, int[] netStruct, int sharedBytes) {
    static final int WIDTH = 64, MAX_INPUTS = 64, MAX_OUTPUTS = 16, MAX_HIDDEN_LAYERS = 4, MIN_BATCH = 512;
    /** Rows per tile: what one block computes at a time. */
    static final int TILE_ROWS = 64;
    private static final int THREADS = 256, OUT_MAX = 16;

    /** The float32 kernel's plan. */
    static Mlp64Plan of(Network network, int batch) {
        return of(network, batch, false);
    }

    /** @param tensorCores TF32 math on a device of compute capability 8.0 or newer */
    static Mlp64Plan of(Network network, int batch, boolean tensorCores) {
        int layers = network.layers().size(), hidden = layers - 1;
        if (batch < MIN_BATCH || hidden < 1 || hidden > MAX_HIDDEN_LAYERS) return null;
        if (network.inputWidth() > MAX_INPUTS || network.outputWidth() > MAX_OUTPUTS) return null;
        if (!EpochPath.FUSED_MLP.supports(network)) return null;
        Activation hiddenActivation = network.layers().get(0).activation();
        for (int l = 0; l < hidden; l++) {
            var layer = network.layers().get(l);
            if (layer.units() != WIDTH || layer.activation() != hiddenActivation) return null;
        }
        int[] net = {network.inputWidth(), network.outputWidth(), KernelCodes.activation(hiddenActivation),
                KernelCodes.activation(network.outputLayer().activation()), KernelCodes.of(network.loss())};
        return new Mlp64Plan(hidden, tensorCores, net, 4 * sharedFloats(hidden));
    }

    /** Floats of dynamic shared memory for NH hidden layers: the layout in mlp64_step.cuh's header. */
    static int sharedFloats(int nh) {
        int deltaStride = 32;
        return (2 * nh - 1) * WIDTH * WIDTH + OUT_MAX * WIDTH + (nh + 1) * TILE_ROWS * WIDTH + TILE_ROWS * deltaStride
                + nh * WIDTH + OUT_MAX + TILE_ROWS + THREADS / 32;
    }

    /** The PTX resource: one module per kernel source. */
    String module() {
        return tensorCores ? "mlp64_tf32_step" : "mlp64_step";
    }

    /**
     * {@code mlp64_step_NH} or {@code mlp64_tf32_step_NH}; {@code …_pwl_NH} for a piecewise-linear
     * hidden activation (identity, ReLU, leaky ReLU): a select per element instead of a switch, and
     * in TF32 activations stored rounded, since their derivative depends on the sign alone.
     */
    String kernel() {
        return module() + (piecewiseLinear(netStruct[2]) ? "_pwl_" : "_") + hiddenLayers;
    }

    private static boolean piecewiseLinear(int activationCode) {
        return activationCode == KernelCodes.activation(Activation.IDENTITY) || activationCode == KernelCodes.activation(Activation.RELU)
                || activationCode == KernelCodes.activation(Activation.LEAKY_RELU);
    }

    /** Whether a block's shared memory fits a device that allows {@code maxSharedBytes} per block. */
    boolean fits(int maxSharedBytes) {
        return sharedBytes <= maxSharedBytes;
    }

    /** Persistent blocks: one per multiprocessor, at most one per tile of 64 rows. */
    int blocks(int multiprocessors, int rows) {
        return Math.max(1, Math.min(multiprocessors, (rows + TILE_ROWS - 1) / TILE_ROWS));
    }
}
