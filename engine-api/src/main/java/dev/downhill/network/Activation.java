package dev.downhill.network;

/**
 * The non-linearity applied after a dense layer. Names and semantics follow PyTorch
 * ({@code nn.Sigmoid}, {@code nn.Tanh}, {@code nn.ReLU}, {@code nn.LeakyReLU(0.01)},
 * {@code nn.Softmax(dim=1)}); the derivative of ReLU at 0 is 0, as in PyTorch.
 */
public enum Activation {
    IDENTITY,
    SIGMOID,
    TANH,
    RELU,
    /** {@code max(z, 0.01·z)}, PyTorch's default negative slope. */
    LEAKY_RELU,
    /** Only on the output layer, and only with {@link Loss#CROSS_ENTROPY}. */
    SOFTMAX;

    /** The slope of {@link #LEAKY_RELU} for negative inputs. */
    public static final float LEAKY_SLOPE = 0.01f;

    /** Whether it maps each element alone, as every activation but softmax does: those a hidden layer may have. */
    public boolean isElementwise() {
        return this != SOFTMAX;
    }

    /** The activations a hidden layer may have, in declaration order: tests and tables enrol a new one from here. */
    public static java.util.List<Activation> hidden() {
        return java.util.Arrays.stream(values()).filter(Activation::isElementwise).toList();
    }

    /** The lower-case name used on the command line and in checkpoints. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #id()} (also accepts the enum name, any case). */
    public static Activation parse(String text) {
        for (Activation a : values()) {
            if (a.id().equalsIgnoreCase(text) || a.name().equalsIgnoreCase(text)) return a;
        }
        throw new dev.downhill.InputException("unknown activation '" + text + "' (expected one of "
                + String.join(", ", java.util.Arrays.stream(values()).map(Activation::id).toList()) + ")");
    }
}
