package dev.downhill.backend;

/**
 * What a training step does beyond the plain gradient step; every backend does both.
 *
 * @param dropout         inverted dropout on every hidden layer's output during training (never in
 *                        evaluation or prediction): the probability that a unit is zeroed, in [0, 1);
 *                        0: none. The units dropped follow {@link DropoutMask}.
 * @param dropoutSeed     the key of the dropout masks
 * @param maxGradientNorm clip each step's gradient by its global norm before the optimiser's update,
 *                        as {@code torch.nn.utils.clip_grad_norm_}: with g every parameter's gradient as
 *                        one vector, {@code g ← g · min(1, maxGradientNorm / (‖g‖₂ + 1e-6))}; 0: never.
 *                        {@link TrainableModel#gradients} still gives the gradient before clipping.
 */
public record Regularization(double dropout, long dropoutSeed, double maxGradientNorm) implements java.io.Serializable {
    public static final Regularization NONE = new Regularization(0, 0, 0);

    public Regularization {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("a dropout rate is in [0, 1), got " + dropout);
        }
        if (!(maxGradientNorm >= 0 && maxGradientNorm < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("the gradient norm limit must be a positive number, got " + maxGradientNorm);
        }
    }

    /** This, with dropout at {@code rate} keyed by {@code seed}. */
    public Regularization withDropout(double rate, long seed) {
        return new Regularization(rate, seed, maxGradientNorm);
    }

    /** This, with each step's gradient clipped to {@code maxNorm}. */
    public Regularization withClipNorm(double maxNorm) {
        return new Regularization(dropout, dropoutSeed, maxNorm);
    }

    /** The masks of this dropout, or null where there is none. */
    public DropoutMask dropoutMask() {
        return dropout > 0 ? new DropoutMask(dropout, dropoutSeed) : null;
    }

    /** Whether a step is the plain gradient step: no dropout, no clipping. */
    public boolean isNone() {
        return dropout == 0 && maxGradientNorm == 0;
    }

    public boolean clipsGradients() {
        return maxGradientNorm > 0;
    }
}
