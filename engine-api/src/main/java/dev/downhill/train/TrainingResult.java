package dev.downhill.train;

import java.util.List;

/**
 * @param history    one report per epoch run
 * @param stopReason why training stopped, in words
 * @param converged  true when a convergence rule stopped it
 * @param parameters the final parameters, in layout order
 * @param stoppedAt  where a run stopped on request stands, or null when it ran to its end
 * @param restoredEpoch under early stopping, the 1-based epoch whose parameters {@code parameters} are; else 0
 */
public record TrainingResult(List<EpochReport> history, String stopReason, boolean converged, float[] parameters,
                             TrainingProgress stoppedAt, int restoredEpoch) {
    public TrainingResult {
        history = List.copyOf(history);
    }

    public TrainingResult(List<EpochReport> history, String stopReason, boolean converged, float[] parameters,
                          TrainingProgress stoppedAt) {
        this(history, stopReason, converged, parameters, stoppedAt, 0);
    }

    /** A run stopped on request where {@code progress} stands, holding {@code parameters}. */
    public static TrainingResult stoppedAt(TrainingProgress progress, float[] parameters) {
        return new TrainingResult(progress.history(), "stopped on request at epoch " + (progress.epoch() + 1) + ", step "
                + progress.step(), false, parameters, progress);
    }

    /** The last finished epoch's loss, NaN when none finished. */
    public double finalLoss() {
        return history.isEmpty() ? Double.NaN : history.getLast().loss();
    }

    /** True when training stopped on request before its end. */
    public boolean interrupted() {
        return stoppedAt != null;
    }
}
