package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.optim.Optimizer;

/**
 * The integer codes the kernels take for losses, activations and optimisers: the Java side of the
 * {@code #define}s {@code LOSS_*} (loss.cuh), {@code ACT_*} (activation.cuh) and {@code OPT_*}
 * (optimizer.cuh). {@code KernelCodesTest} reads those headers and fails on any constant of
 * {@link Loss}, {@link Activation} or {@link Optimizer} whose code is missing there or differs.
 * The switches are expressions, so a new constant does not compile until it has a code here.
 */
final class KernelCodes {
    static final int MSE = 0, BCE = 1, CROSS_ENTROPY = 2;
    static final int SGD = 0, ADAM = 1, ADAMW = 2, RMSPROP = 3;

    private KernelCodes() {}

    static int of(Loss loss) {
        return switch (loss) {
            case MSE -> MSE;
            case BCE -> BCE;
            case CROSS_ENTROPY -> CROSS_ENTROPY;
        };
    }

    static int activation(Activation a) {
        return switch (a) {
            case IDENTITY -> 0;
            case SIGMOID -> 1;
            case TANH -> 2;
            case RELU -> 3;
            case LEAKY_RELU -> 4;
            case SOFTMAX -> 5;
        };
    }

    static int optimizer(Optimizer optimizer) {
        return switch (optimizer) {
            case Optimizer.Sgd s -> SGD;
            case Optimizer.Adam a -> ADAM;
            case Optimizer.AdamW a -> ADAMW;
            case Optimizer.RmsProp r -> RMSPROP;
        };
    }
}
