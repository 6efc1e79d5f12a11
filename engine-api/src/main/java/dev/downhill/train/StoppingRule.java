package dev.downhill.train;

import dev.downhill.InputException;

/**
 * When training stops before its maximum number of epochs. Training always stops at the
 * maximum; a convergence rule may stop it sooner.
 */
public sealed interface StoppingRule extends java.io.Serializable {

    /** Only the epoch limit. */
    record FixedEpochs() implements StoppingRule {}

    /** Converged when |loss(e) − loss(e−1)| < tolerance for {@code patience} epochs in a row. */
    record LossPlateau(double tolerance, int patience) implements StoppingRule {
        public LossPlateau {
            if (!(tolerance > 0)) throw new InputException("loss tolerance must be positive, got " + tolerance);
            if (patience < 1) throw new InputException("patience must be at least 1 epoch, got " + patience);
        }
    }

    /**
     * Early stopping on the validation loss, as Keras's {@code EarlyStopping(restore_best_weights=True)}:
     * an epoch improves on the best when its validation loss is below the best's by more than
     * {@code minDelta}; after {@code patience} epochs in a row that do not, training stops. Whether it
     * stops so or at the epoch limit, the result holds the best epoch's parameters (Keras restores
     * them only when it stops early: a run asked to watch the validation loss keeps its best model).
     * Needs validation rows.
     */
    record EarlyStopping(int patience, double minDelta) implements StoppingRule {
        public EarlyStopping {
            if (patience < 1) throw new InputException("early stopping's patience must be at least 1 epoch, got " + patience);
            if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
                throw new InputException("early stopping's minimum improvement must be a finite number >= 0, got " + minDelta);
            }
        }

        /** Whether {@code candidate}'s validation loss is below {@code best}'s by more than {@code minDelta}. */
        public boolean improves(EpochReport candidate, EpochReport best) {
            return candidate.validationLoss() < best.validationLoss() - minDelta;
        }

        /** The 0-based index in {@code history} of the best epoch so far (-1 before the first), by the rule above. */
        public int bestIndex(java.util.List<EpochReport> history) {
            int best = -1;
            for (int i = 0; i < history.size(); i++) {
                if (best < 0 || improves(history.get(i), history.get(best))) best = i;
            }
            return best;
        }
    }

    /** Converged when the norm of the full-batch gradient at the end of an epoch is below tolerance. */
    record GradientNorm(double tolerance) implements StoppingRule {
        public GradientNorm {
            if (!(tolerance > 0)) throw new InputException("gradient tolerance must be positive, got " + tolerance);
        }
    }
}
