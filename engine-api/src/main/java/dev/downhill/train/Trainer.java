package dev.downhill.train;

import dev.downhill.backend.EpochResult;
import dev.downhill.backend.Evaluation;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Runs epochs on a {@link TrainableModel}: picks each epoch's row order and learning rate,
 * measures validation loss and accuracy, stops on the epoch limit or on convergence, and
 * stops with {@link NonFiniteLossException} when the loss stops being a number.
 */
public final class Trainer {
    private final TrainingConfig config;
    private final List<TrainingListener> listeners = new ArrayList<>();

    public Trainer(TrainingConfig config) {
        this.config = config;
    }

    public Trainer listener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Trains {@code model} on the data it was loaded with.
     *
     * @param validation rows to measure after each epoch, or null
     */
    public TrainingResult train(TrainableModel model, int trainingRows, DataSet validation) {
        listeners.forEach(l -> l.onStart(config.epochs()));
        List<EpochReport> history = new ArrayList<>();
        RowOrder order = new RowOrder(trainingRows, config.shuffle(), config.seed());
        float baseRate = model.optimizer().learningRate();
        int plateau = 0;
        String stopReason = "reached " + config.epochs() + " epochs";
        boolean converged = false;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            float rate = config.schedule().rate(baseRate, epoch);
            long start = System.nanoTime();
            EpochResult result = model.trainEpoch(order.next(), config.batchSize(), rate);
            if (result.diverged() || !Double.isFinite(result.meanLoss())) {
                throw new NonFiniteLossException(epoch + 1, Math.max(result.nonFiniteStep(), 0) + 1, rate);
            }
            double gradientNorm = config.stopping() instanceof StoppingRule.GradientNorm
                    ? Metrics.norm(model.gradients(IntStream.range(0, trainingRows).toArray()).gradients())
                    : Double.NaN;
            double validationLoss = Double.NaN, accuracy = Double.NaN;
            if (validation != null) {
                Evaluation e = model.evaluate(validation);
                validationLoss = e.loss();
                accuracy = Metrics.accuracy(model.network().loss(), e.outputs(), validation);
            }
            EpochReport report = new EpochReport(epoch + 1, result.meanLoss(), validationLoss, accuracy, rate,
                    gradientNorm, System.nanoTime() - start);
            history.add(report);
            listeners.forEach(l -> l.onEpoch(report));

            switch (config.stopping()) {
                case StoppingRule.FixedEpochs f -> { }
                case StoppingRule.LossPlateau p -> {
                    boolean flat = history.size() > 1
                            && Math.abs(report.loss() - history.get(history.size() - 2).loss()) < p.tolerance();
                    plateau = flat ? plateau + 1 : 0;
                    if (plateau >= p.patience()) {
                        stopReason = "converged: loss changed by less than " + p.tolerance() + " for " + p.patience()
                                + " epochs";
                        converged = true;
                    }
                }
                case StoppingRule.GradientNorm g -> {
                    if (gradientNorm < g.tolerance()) {
                        stopReason = "converged: gradient norm " + String.format("%.3g", gradientNorm) + " below "
                                + g.tolerance();
                        converged = true;
                    }
                }
            }
            if (converged) break;
        }
        TrainingResult done = new TrainingResult(history, stopReason, converged, model.parameters());
        listeners.forEach(l -> l.onFinish(done));
        return done;
    }

    /** The row order of each epoch: in order, or a fresh seeded permutation per epoch. */
    static final class RowOrder {
        private final int[] order;
        private final boolean shuffle;
        private final SplittableRandom random;

        RowOrder(int rows, boolean shuffle, long seed) {
            this.order = IntStream.range(0, rows).toArray();
            this.shuffle = shuffle;
            this.random = new SplittableRandom(seed);
        }

        int[] next() {
            if (shuffle) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            return order.clone();
        }
    }
}
