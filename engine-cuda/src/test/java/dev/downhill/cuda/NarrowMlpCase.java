package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;

import java.util.List;

/**
 * The narrow MLPs that mlp64_step's tests train, in both math modes: the tcnn shape; a network of
 * one hidden layer whose last step (446 rows) falls back to the general path; BCE with sigmoid hidden
 * layers and a batch that leaves a partial tile of 5 rows; leaky ReLU with a sigmoid output.
 */
record NarrowMlpCase(String name, Network network, int batch, int rows) {
    static final List<NarrowMlpCase> ALL = List.of(
            new NarrowMlpCase("64x4-16 relu mse batch 1000", Network.builder(64).dense(64, Activation.RELU)
                    .dense(64, Activation.RELU).dense(64, Activation.RELU).dense(64, Activation.RELU)
                    .dense(16, Activation.IDENTITY).seed(21).build(), 1000, 3000),
            new NarrowMlpCase("20-64-3 tanh mse batch 777", Network.builder(20).dense(64, Activation.TANH)
                    .dense(3, Activation.IDENTITY).seed(22).build(), 777, 2000),
            new NarrowMlpCase("33-64-64-1 bce batch 4101", Network.builder(33).dense(64, Activation.SIGMOID)
                    .dense(64, Activation.SIGMOID).dense(1, Activation.SIGMOID).loss(Loss.BCE).seed(23).build(), 4101, 8202),
            new NarrowMlpCase("64x3-16 leaky/sigmoid batch 512", Network.builder(64).dense(64, Activation.LEAKY_RELU)
                    .dense(64, Activation.LEAKY_RELU).dense(64, Activation.LEAKY_RELU).dense(16, Activation.SIGMOID)
                    .seed(24).build(), 512, 1024));
}
