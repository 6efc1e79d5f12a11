package dev.downhill.train;

import java.util.List;

/**
 * Where a training run stands between two steps: everything the trainer needs, beside the
 * model's parameters and optimiser state, to continue exactly as if it had not stopped.
 *
 * @param epoch   0-based epoch in progress (the number of finished epochs)
 * @param step    steps of that epoch already taken
 * @param lossSum Σ(batch mean loss × rows) over those steps
 * @param plateau epochs in a row that the loss-plateau rule has counted
 * @param history reports of the finished epochs
 * @param best    under early stopping, the parameters of the best epoch so far; else null
 */
public record TrainingProgress(int epoch, int step, double lossSum, int plateau, List<EpochReport> history, float[] best) {
    public TrainingProgress {
        history = List.copyOf(history);
        if (epoch < 0 || step < 0) throw new IllegalArgumentException("epoch and step must be >= 0");
    }

    /** Progress without early stopping's best parameters. */
    public TrainingProgress(int epoch, int step, double lossSum, int plateau, List<EpochReport> history) {
        this(epoch, step, lossSum, plateau, history, null);
    }

    /** Nothing done yet. */
    public static TrainingProgress start() {
        return new TrainingProgress(0, 0, 0, 0, List.of());
    }
}
