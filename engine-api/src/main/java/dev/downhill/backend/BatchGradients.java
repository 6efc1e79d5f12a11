package dev.downhill.backend;

/**
 * Forward outputs, loss and gradient of one batch.
 *
 * @param outputs   {@code [rows, outputWidth]} after the output activation
 * @param loss      mean loss of the batch
 * @param gradients ∂loss/∂parameters in {@link dev.downhill.network.Network#layout()} order
 */
public record BatchGradients(float[] outputs, float loss, float[] gradients) {}
