package dev.downhill.network;

/**
 * The loss that training minimises, mean-reduced as PyTorch's defaults.
 */
public enum Loss {
    /** {@code mean((ŷ−y)²)} over batch and outputs, as {@code nn.MSELoss}. */
    MSE,
    /** Binary cross-entropy on a sigmoid output, as {@code nn.BCELoss}, computed from the logits. */
    BCE,
    /** Softmax cross-entropy with one-hot (or probability) targets, as {@code nn.CrossEntropyLoss}. */
    CROSS_ENTROPY;

    public String id() {
        return switch (this) {
            case MSE -> "mse";
            case BCE -> "bce";
            case CROSS_ENTROPY -> "cross-entropy";
        };
    }

    /**
     * Whether {@code y} is a target this loss takes: any number for MSE; for BCE and cross-entropy a
     * probability, in [0, 1] (a class label is turned into one-hot targets before this).
     */
    public boolean acceptsTarget(double y) {
        return switch (this) {
            case MSE -> true;
            case BCE, CROSS_ENTROPY -> y >= 0 && y <= 1;
        };
    }

    /** The targets it takes, in words for an error: {@code "[0, 1]"}, or "any number". */
    public String targetRange() {
        return this == MSE ? "any number" : "[0, 1]";
    }

    /**
     * The output activations it is defined on: any elementwise one for MSE, the sigmoid for BCE
     * (computed from its logit), softmax for cross-entropy (fused with it).
     */
    public java.util.List<Activation> outputActivations() {
        return switch (this) {
            case MSE -> Activation.hidden();
            case BCE -> java.util.List.of(Activation.SIGMOID);
            case CROSS_ENTROPY -> java.util.List.of(Activation.SOFTMAX);
        };
    }

    /** True for the losses of classification, where accuracy is meaningful. */
    public boolean isClassification() {
        return this != MSE;
    }

    public static Loss parse(String text) {
        for (Loss l : values()) {
            if (l.id().equalsIgnoreCase(text) || l.name().equalsIgnoreCase(text)) return l;
        }
        if (text.equalsIgnoreCase("ce")) return CROSS_ENTROPY;
        throw new dev.downhill.InputException("unknown loss '" + text + "' (expected one of "
                + String.join(", ", java.util.Arrays.stream(values()).map(Loss::id).toList()) + ")");
    }
}
