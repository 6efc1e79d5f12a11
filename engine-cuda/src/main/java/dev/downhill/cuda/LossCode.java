package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;

/** The integer codes the kernels use for losses and activations (see activation.cuh, loss_delta.cu). */
final class LossCode {
    static final int MSE = 0, BCE = 1, CROSS_ENTROPY = 2;

    private LossCode() {}

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
}
