package dev.downhill.train;

import dev.downhill.InputException;

/** Training stopped because the loss became NaN or infinite, usually a learning rate too large. */
public final class NonFiniteLossException extends InputException {
    private final int epoch;
    private final int step;

    public NonFiniteLossException(int epoch, int step, float learningRate) {
        super("loss became NaN or infinite at epoch " + epoch + ", step " + step + " (learning rate " + learningRate
                + "): training diverged; try a smaller learning rate");
        this.epoch = epoch;
        this.step = step;
    }

    /** 1-based epoch. */
    public int epoch() {
        return epoch;
    }

    /** 1-based step within the epoch. */
    public int step() {
        return step;
    }
}
