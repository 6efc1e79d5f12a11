package dev.downhill.train;

import java.util.List;

/**
 * @param history    one report per epoch run
 * @param stopReason why training stopped, in words
 * @param converged  true when a convergence rule stopped it
 * @param parameters the final parameters, in layout order
 */
public record TrainingResult(List<EpochReport> history, String stopReason, boolean converged, float[] parameters) {
    public TrainingResult {
        history = List.copyOf(history);
    }

    public double finalLoss() {
        return history.getLast().loss();
    }
}
