package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.optim.Optimizer;

/**
 * The integer codes the kernels take for losses, activations and optimisers: the Java side of the
 * {@code #define}s {@code LOSS_*} (loss.cuh), {@code ACT_*} (activation.cuh) and {@code OPT_*}
 * (optimizer.cuh). A loss's or an activation's code is its position in its enum, so a new
 * constant needs no line here; {@code KernelCodesTest} reads the headers and fails on any
 * constant whose {@code #define} is missing or differs, and the kernels trap on a code they do
 * not know. Optimisers are records, not an enum: their switch is an expression, so a new kind
 * does not compile until it has a code.
 */
final class KernelCodes {
    static final int MSE = of(Loss.MSE), CROSS_ENTROPY = of(Loss.CROSS_ENTROPY);

    private KernelCodes() {}

    static int of(Loss loss) {
        return loss.ordinal();
    }

    static int activation(Activation a) {
        return a.ordinal();
    }

    static int optimizer(Optimizer optimizer) {
        return switch (optimizer) {
            case Optimizer.Sgd s -> 0;
            case Optimizer.Adam a -> 1;
            case Optimizer.AdamW a -> 2;
            case Optimizer.RmsProp r -> 3;
        };
    }
}
