package dev.downhill.backend;

/**
 * A model's capability ({@link TrainableModel#capability}) to take a data-parallel step with its
 * gradient left on its device, for a collective that sums device buffers (NCCL): the split step
 * of {@link TrainableModel#gradients(int[], int)} and {@link TrainableModel#applyGradients} without
 * the gradient's round trip through the host.
 */
public interface DeviceGradient {
    /**
     * Enqueues the gradient of rows {@code rows} (from row {@code firstRow} of the step's batch) and
     * their mean loss, both times {@code share}, into the exchange buffer: the gradient in
     * {@link dev.downhill.network.Network#layout()} order, then the loss. No rows: zeros.
     */
    void computeGradient(int[] rows, int firstRow, float share);

    /** The exchange buffer's device address: {@link #exchangeLength()} floats. */
    long exchangeAddress();

    /** The parameters and one more float, the loss. */
    long exchangeLength();

    /** The stream the model's work runs on, which a collective's work must follow. */
    long stream();

    /**
     * One optimiser step with the gradient in the exchange buffer (the ranks' sum, put there by the
     * collective), clipped first where the model clips, unless the loss beside it is not a number;
     * returns that loss.
     */
    float applyGradient(float learningRate);
}
