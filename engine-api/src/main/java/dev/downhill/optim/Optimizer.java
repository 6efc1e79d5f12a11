package dev.downhill.optim;

import dev.downhill.InputException;

/**
 * How a step turns gradients into new parameters. Each variant has PyTorch's semantics
 * and defaults ({@code torch.optim.SGD}, {@code Adam}, {@code AdamW}, {@code RMSprop}); the
 * backends implement the formulas written on each record.
 */
public sealed interface Optimizer extends java.io.Serializable {

    /** The base learning rate η, before any schedule. */
    float learningRate();

    /** The same optimiser with another base learning rate. */
    Optimizer withLearningRate(float lr);

    /** Short name for logs and checkpoints. */
    String id();

    /**
     * {@code g += λw; v = μv + g; w −= η·(nesterov ? g + μv : v)} (with μ = 0: {@code w −= η·g}).
     */
    record Sgd(float learningRate, float momentum, boolean nesterov, float weightDecay) implements Optimizer {
        public Sgd {
            checkRate(learningRate);
            checkRange("momentum", momentum, 0, 1);
            checkRange("weight decay", weightDecay, 0, Float.MAX_VALUE);
            if (nesterov && momentum == 0) throw new InputException("Nesterov momentum needs a momentum > 0");
        }

        /** Plain gradient descent {@code w −= η·∂L/∂w}. */
        public static Sgd plain(float learningRate) {
            return new Sgd(learningRate, 0, false, 0);
        }

        @Override public Sgd withLearningRate(float lr) { return new Sgd(lr, momentum, nesterov, weightDecay); }
        @Override public String id() { return "sgd"; }
        @Override public String toString() {
            return "sgd(lr=" + learningRate + (momentum != 0 ? ", momentum=" + momentum : "") + (nesterov ? ", nesterov" : "")
                    + (weightDecay != 0 ? ", weight_decay=" + weightDecay : "") + ")";
        }
    }

    /**
     * {@code g += λw; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
     * w −= (η/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + ε)}.
     */
    record Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) implements Optimizer {
        public Adam {
            checkAdam(learningRate, beta1, beta2, epsilon, weightDecay);
        }

        public static Adam defaults(float learningRate) {
            return new Adam(learningRate, 0.9f, 0.999f, 1e-8f, 0);
        }

        @Override public Adam withLearningRate(float lr) { return new Adam(lr, beta1, beta2, epsilon, weightDecay); }
        @Override public String id() { return "adam"; }
        @Override public String toString() { return describeAdam(id(), learningRate, beta1, beta2, epsilon, weightDecay); }
    }

    /** As {@link Adam}, but weight decay is decoupled: {@code w −= ηλw} before the Adam step (λ defaults to 0.01). */
    record AdamW(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) implements Optimizer {
        public AdamW {
            checkAdam(learningRate, beta1, beta2, epsilon, weightDecay);
        }

        public static AdamW defaults(float learningRate) {
            return new AdamW(learningRate, 0.9f, 0.999f, 1e-8f, 0.01f);
        }

        @Override public AdamW withLearningRate(float lr) { return new AdamW(lr, beta1, beta2, epsilon, weightDecay); }
        @Override public String id() { return "adamw"; }
        @Override public String toString() { return describeAdam(id(), learningRate, beta1, beta2, epsilon, weightDecay); }
    }

    /**
     * {@code g += λw; v = α·v + (1−α)·g²; b = μ·b + g/(√v + ε); w −= η·b} (with μ = 0:
     * {@code w −= η·g/(√v + ε)}). PyTorch's defaults: η 0.01, α 0.99, ε 1e-8.
     */
    record RmsProp(float learningRate, float alpha, float epsilon, float momentum, float weightDecay) implements Optimizer {
        public RmsProp {
            checkRate(learningRate);
            checkRange("alpha", alpha, 0, 1);
            checkRange("epsilon", epsilon, 0, Float.MAX_VALUE);
            checkRange("momentum", momentum, 0, 1);
            checkRange("weight decay", weightDecay, 0, Float.MAX_VALUE);
        }

        public static RmsProp defaults(float learningRate) {
            return new RmsProp(learningRate, 0.99f, 1e-8f, 0, 0);
        }

        @Override public RmsProp withLearningRate(float lr) { return new RmsProp(lr, alpha, epsilon, momentum, weightDecay); }
        @Override public String id() { return "rmsprop"; }
        @Override public String toString() {
            return "rmsprop(lr=" + learningRate + ", alpha=" + alpha + ", eps=" + epsilon
                    + (momentum != 0 ? ", momentum=" + momentum : "") + (weightDecay != 0 ? ", weight_decay=" + weightDecay : "") + ")";
        }
    }

    private static String describeAdam(String id, float lr, float beta1, float beta2, float eps, float weightDecay) {
        return id + "(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weight_decay=" + weightDecay + ")";
    }

    private static void checkAdam(float lr, float beta1, float beta2, float eps, float weightDecay) {
        checkRate(lr);
        checkRange("beta1", beta1, 0, 0.99999994f);
        checkRange("beta2", beta2, 0, 0.99999994f);
        checkRange("epsilon", eps, 0, Float.MAX_VALUE);
        checkRange("weight decay", weightDecay, 0, Float.MAX_VALUE);
    }

    private static void checkRate(float lr) {
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new InputException("learning rate must be a positive number, got " + lr);
        }
    }

    private static void checkRange(String what, float value, float min, float max) {
        if (!(value >= min && value <= max)) {
            throw new InputException(what + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
