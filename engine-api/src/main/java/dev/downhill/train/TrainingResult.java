package dev.downhill.train;

import java.util.List;

/**
 * @param history    one report per epoch run
 * @param stopReason why training stopped, in words
 * @param converged  true when a convergence rule stopped it
 * @param parameters the final parameters, in layout order
 * @param stoppedAt  where a run stopped on request stands, or null when it ran to its end
 */
public record TrainingResult(List<EpochReport> history, String stopReason, boolean converged, float[] parameters,
                             TrainingProgress stoppedAt) {
    public TrainingResult {
        history = List.copyOf(history);
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
