package dev.downhill.cli;

import dev.downhill.backend.Backend;
import dev.downhill.backend.TrainableModel;
import dev.downhill.train.EpochReport;
import dev.downhill.train.NonFiniteLossException;
import dev.downhill.train.Trainer;
import dev.downhill.train.TrainingListener;

import java.util.ArrayList;
import java.util.List;

/**
 * The same network trained from the same initial parameters with each of several learning
 * rates: the seed material's steps too small, right and too large, measured.
 */
final class LrSweep {
    /**
     * One learning rate's run.
     *
     * @param initial        the parameters it started from
     * @param history        its epochs, up to the divergence if it diverged
     * @param divergedEpoch  1-based epoch where the loss stopped being a number, or 0
     * @param divergedStep   1-based step within that epoch, or 0
     */
    record Run(float rate, float[] initial, List<EpochReport> history, int divergedEpoch, int divergedStep) {
        /** Whether the steps made things worse: the loss stopped being a number, or ended above where the first epoch left it. */
        boolean diverged() {
            return divergedEpoch > 0 || rising();
        }

        /** The loss at the last epoch is above the first epoch's: a rate too large that has not yet overflowed. */
        boolean rising() {
            return history.size() >= 2 && history.getLast().loss() > history.getFirst().loss();
        }
    }

    private LrSweep() {}

    static List<Run> sweep(Backend backend, RunSettings s, TrainingRun.Prepared p, List<Float> rates) {
        List<Run> runs = new ArrayList<>();
        for (float rate : rates) {
            float[] initial = p.initial().clone();
            List<EpochReport> history = new ArrayList<>();
            int epoch = 0, step = 0;
            try (TrainableModel m = TrainingRun.load(backend, s, p.network(), initial.clone(),
                    s.training().optimizer().withLearningRate(rate), p.train())) {
                new Trainer(s.training().config()).listener(new TrainingListener() {
                    @Override public void onEpoch(EpochReport r) {
                        history.add(r);
                    }
                }).train(m, p.train().rows(), null);
            } catch (NonFiniteLossException e) {
                epoch = e.epoch();
                step = e.step();
            }
            runs.add(new Run(rate, initial, history, epoch, step));
        }
        return runs;
    }

    /** What {@link #fastest} means, as the command prints it. */
    static final String FASTEST = "converged fastest: of the runs that did not diverge, the first to come within 5% of "
            + "the lowest loss any of them reached";

    /**
     * The run that converged fastest: among those that did not diverge, the first to come within
     * 5% of the lowest loss any run reached; -1 if every run diverged.
     */
    static int fastest(List<Run> runs) {
        double best = runs.stream().filter(r -> !r.diverged() && !r.history().isEmpty())
                .flatMap(r -> r.history().stream()).mapToDouble(EpochReport::loss).min().orElse(Double.NaN);
        int winner = -1, winnerEpoch = Integer.MAX_VALUE;
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).diverged()) continue;
            for (EpochReport r : runs.get(i).history()) {
                if (r.loss() <= best * 1.05 + 1e-12) {
                    if (r.epoch() < winnerEpoch) {
                        winner = i;
                        winnerEpoch = r.epoch();
                    }
                    break;
                }
            }
        }
        return winner;
    }
}
