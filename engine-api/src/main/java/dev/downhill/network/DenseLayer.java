package dev.downhill.network;

/**
 * A fully connected layer {@code a = act(x·Wᵀ + b)} with {@code W} of shape {@code [units, in]}.
 *
 * @param units      output width, at least 1
 * @param activation applied element-wise (softmax: across the row)
 */
public record DenseLayer(int units, Activation activation) implements java.io.Serializable {
    public DenseLayer {
        java.util.Objects.requireNonNull(activation, "activation");
    }

    /** {@code "units:activation"}, the form used on the command line and in checkpoints. */
    @Override
    public String toString() {
        return units + ":" + activation.id();
    }
}
