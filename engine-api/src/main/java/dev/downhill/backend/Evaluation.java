package dev.downhill.backend;

/**
 * @param outputs {@code [rows, outputWidth]} after the output activation
 * @param loss    mean loss over the data
 */
public record Evaluation(float[] outputs, double loss) {}
