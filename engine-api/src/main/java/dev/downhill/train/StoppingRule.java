package dev.downhill.train;

import dev.downhill.InputException;

/**
 * When training stops before its maximum number of epochs. Training always stops at the
 * maximum; a convergence rule may stop it sooner.
 */
public sealed interface StoppingRule {

    /** Only the epoch limit. */
    record FixedEpochs() implements StoppingRule {}

    /** Converged when |loss(e) − loss(e−1)| < tolerance for {@code patience} epochs in a row. */
    record LossPlateau(double tolerance, int patience) implements StoppingRule {
        public LossPlateau {
            if (!(tolerance > 0)) throw new InputException("loss tolerance must be positive, got " + tolerance);
            if (patience < 1) throw new InputException("patience must be at least 1 epoch, got " + patience);
        }
    }

    /** Converged when the norm of the full-batch gradient at the end of an epoch is below tolerance. */
    record GradientNorm(double tolerance) implements StoppingRule {
        public GradientNorm {
            if (!(tolerance > 0)) throw new InputException("gradient tolerance must be positive, got " + tolerance);
        }
    }
}
