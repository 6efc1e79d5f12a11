package dev.downhill.train;

import dev.downhill.backend.StepsResult;
import dev.downhill.backend.Evaluation;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Runs epochs on a {@link TrainableModel}: picks each epoch's row order and learning rate,
 * measures validation loss and accuracy, stops on the epoch limit or on convergence, and
 * stops with {@link NonFiniteLossException} when the loss stops being a number. It can save
 * its progress every few epochs, stop cleanly between two steps when asked (Ctrl-C), and
 * resume from saved progress exactly.
 */
public final class Trainer {
    /** With a stop request possible, epochs run in chunks of steps of about this long, so a request waits no longer. */
    static final long CHUNK_NANOS = 100_000_000L;

    private final TrainingConfig config;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private BooleanSupplier stopRequested;
    private Consumer<TrainingProgress> checkpoint;
    private int checkpointEvery;
    private DataSet trainingRows;

    public Trainer(TrainingConfig config) {
        this.config = config;
    }

    public Trainer listener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Measures a classifier's accuracy on {@code rows} (the rows it trains on) after every epoch,
     * as {@link EpochReport#trainingAccuracy}: one forward pass over them, outside the epoch's
     * timed training. Keras reports a running mean during the epoch instead, which mixes the
     * parameters of every step; this is the model's accuracy as the epoch leaves it.
     */
    public Trainer trainingAccuracyOn(DataSet rows) {
        this.trainingRows = rows;
        return this;
    }

    /** Stops between two steps once {@code requested} says so, after handing the progress to the checkpoint saver. */
    public Trainer stopWhen(BooleanSupplier requested) {
        this.stopRequested = requested;
        return this;
    }

    /**
     * Hands the progress to {@code save} after every {@code everyEpochs} epochs (0: never), and
     * when a stop is requested; {@code save} reads the model's parameters and optimiser state itself.
     */
    public Trainer checkpoints(int everyEpochs, Consumer<TrainingProgress> save) {
        if (everyEpochs < 0) throw new IllegalArgumentException("checkpoint interval must be >= 0");
        this.checkpointEvery = everyEpochs;
        this.checkpoint = save;
        return this;
    }

    /** Trains {@code model} on the {@code trainingRows} rows it was loaded with; {@code validation} may be null. */
    public TrainingResult train(TrainableModel model, int trainingRows, DataSet validation) {
        return resume(model, trainingRows, validation, TrainingProgress.start());
    }

    /** Continues from {@code from}; the model must already hold the parameters and optimiser state saved with it. */
    public TrainingResult resume(TrainableModel model, int trainingRows, DataSet validation, TrainingProgress from) {
        if (config.stopping() instanceof StoppingRule.EarlyStopping && validation == null) {
            throw new dev.downhill.InputException("early stopping watches the validation loss, and no rows are held out for validation",
                    java.util.Set.of(dev.downhill.InputException.Remedy.HOLD_OUT_VALIDATION_ROWS));
        }
        listeners.forEach(l -> l.onStart(config.epochs()));
        List<EpochReport> history = new ArrayList<>(from.history());
        float[] best = from.best();
        // under early stopping, the index in history of the best epoch so far: read from the history once, then kept
        int bestAt = config.stopping() instanceof StoppingRule.EarlyStopping e ? e.bestIndex(history) : -1;
        float baseRate = model.optimizer().learningRate();
        int plateau = from.plateau();
        // a batch larger than the data is the whole data: one step an epoch, and no int overflow in step × batch
        int batch = Math.min(config.batchSize(), trainingRows);
        int stepsPerEpoch = (trainingRows + batch - 1) / batch;
        ChunkSize chunk = new ChunkSize(stopRequested != null, stepsPerEpoch);
        for (int epoch = from.epoch(); epoch < config.epochs(); epoch++) {
            float rate = config.schedule().rate(baseRate, epoch);
            int[] order = rowOrder(trainingRows, epoch);
            boolean resuming = epoch == from.epoch();
            int step = resuming ? from.step() : 0;
            double lossSum = resuming ? from.lossSum() : 0;
            long start = System.nanoTime();
            while (step < stepsPerEpoch) {
                if (stopRequested != null && stopRequested.getAsBoolean()) {
                    return stopped(model, new TrainingProgress(epoch, step, lossSum, plateau, history, best));
                }
                int steps = chunk.next();
                int first = step * batch, last = (int) Math.min(trainingRows, (long) (step + steps) * batch);
                long chunkStart = System.nanoTime();
                StepsResult r = model.trainSteps(Arrays.copyOfRange(order, first, last), batch, rate);
                chunk.took(System.nanoTime() - chunkStart);
                if (r.diverged() || !Double.isFinite(r.meanLoss())) {
                    throw new NonFiniteLossException(epoch + 1, step + Math.max(r.nonFiniteStep(), 0) + 1, rate);
                }
                lossSum += r.meanLoss() * (last - first);
                step += r.steps();
                for (TrainingListener l : listeners) l.onSteps(epoch, step, stepsPerEpoch);
            }
            EpochReport report = report(model, epoch, lossSum / trainingRows, rate, trainingRows, validation, start);
            history.add(report);
            listeners.forEach(l -> l.onEpoch(report));
            plateau = nextPlateau(history, plateau);
            if (config.stopping() instanceof StoppingRule.EarlyStopping e
                    && (bestAt < 0 || e.improves(history.getLast(), history.get(bestAt)))) {
                bestAt = history.size() - 1;
                best = model.parameters();
            }
            String converged = converged(history, plateau, bestAt);
            TrainingProgress done = new TrainingProgress(epoch + 1, 0, 0, plateau, history, best);
            if (converged != null) return finish(model, history, converged, true, best, bestAt);
            if (epoch + 1 < config.epochs()) {
                if (stopRequested != null && stopRequested.getAsBoolean()) return stopped(model, done);
                if (checkpointEvery > 0 && (epoch + 1) % checkpointEvery == 0) checkpoint.accept(done);
            }
        }
        return finish(model, history, "reached " + config.epochs() + (config.epochs() == 1 ? " epoch" : " epochs"), false, best, bestAt);
    }

    /**
     * The row order of an epoch: in file order, or a permutation drawn from the seed and the
     * epoch alone, so that a resumed run visits the rows exactly as an uninterrupted one.
     */
    int[] rowOrder(int rows, int epoch) {
        if (!config.shuffle()) return IntStream.range(0, rows).toArray();
        return DataSet.permutation(rows, config.seed() * 0x9E3779B97F4A7C15L + epoch);
    }

    private EpochReport report(TrainableModel model, int epoch, double loss, float rate, int rows, DataSet validation,
                               long start) {
        long nanos = System.nanoTime() - start;       // the epoch's training alone: what throughput is made of
        double gradientNorm = config.stopping() instanceof StoppingRule.GradientNorm
                ? Metrics.norm(model.gradients(IntStream.range(0, rows).toArray()).gradients()) : Double.NaN;
        double validationLoss = Double.NaN, accuracy = Double.NaN, mae = Double.NaN, rmse = Double.NaN, r2 = Double.NaN;
        double trainingAccuracy = trainingRows != null && model.network().loss().isClassification()
                ? Metrics.accuracy(model.network().loss(), model.evaluate(trainingRows).outputs(), trainingRows) : Double.NaN;
        if (validation != null) {
            Evaluation e = model.evaluate(validation);
            validationLoss = e.loss();
            if (!Double.isFinite(validationLoss)) {
                throw new dev.downhill.InputException("validation loss became " + validationLoss + " at epoch " + (epoch + 1)
                        + " while the training loss is " + loss + ": the model's outputs overflow on held-out rows"
                        + " (a learning rate too large, or validation rows far outside the training rows' range)");
            }
            accuracy = Metrics.accuracy(model.network().loss(), e.outputs(), validation);
            if (!model.network().loss().isClassification() && validation.rows() > 0) {
                mae = Metrics.meanAbsoluteError(e.outputs(), validation);
                rmse = Metrics.rootMeanSquaredError(e.outputs(), validation);
                r2 = Metrics.rSquared(e.outputs(), validation);
            }
        }
        return new EpochReport(epoch + 1, loss, validationLoss, accuracy, rate, gradientNorm, nanos, mae, rmse, r2, trainingAccuracy);
    }

    /** Why the run has converged after the last report, given the plateau count and the best epoch (early stopping) including it; or null. */
    private String converged(List<EpochReport> history, int plateau, int bestAt) {
        EpochReport last = history.getLast();
        return switch (config.stopping()) {
            case StoppingRule.FixedEpochs f -> null;
            case StoppingRule.LossPlateau p -> plateau >= p.patience()
                    ? "converged: loss changed by less than " + p.tolerance() + " for " + p.patience() + " epochs" : null;
            case StoppingRule.GradientNorm g -> last.gradientNorm() < g.tolerance()
                    ? "converged: gradient norm " + String.format("%.3g", last.gradientNorm()) + " below " + g.tolerance()
                    : null;
            case StoppingRule.EarlyStopping e -> history.size() - 1 - bestAt >= e.patience()
                    ? "stopped early: the validation loss did not improve by more than " + e.minDelta() + " for "
                      + e.patience() + (e.patience() == 1 ? " epoch" : " epochs")
                    : null;
        };
    }

    private int nextPlateau(List<EpochReport> history, int plateau) {
        if (!(config.stopping() instanceof StoppingRule.LossPlateau p) || history.size() < 2) return 0;
        double change = Math.abs(history.getLast().loss() - history.get(history.size() - 2).loss());
        return change < p.tolerance() ? plateau + 1 : 0;
    }

    private TrainingResult stopped(TrainableModel model, TrainingProgress progress) {
        if (checkpoint != null) checkpoint.accept(progress);
        TrainingResult r = TrainingResult.stoppedAt(progress, model.parameters());
        listeners.forEach(l -> l.onFinish(r));
        return r;
    }

    /** The result; under early stopping the model and the result take the best epoch's parameters, and the reason says which. */
    private TrainingResult finish(TrainableModel model, List<EpochReport> history, String reason, boolean converged, float[] best,
                                  int bestAt) {
        int restored = 0;
        if (config.stopping() instanceof StoppingRule.EarlyStopping && best != null) {
            restored = bestAt + 1;
            model.restore(best, model.optimizerState());
            reason += String.format(java.util.Locale.ROOT, "; restored the parameters of epoch %d, the best (validation loss %.6g)",
                    restored, history.get(bestAt).validationLoss());
        }
        TrainingResult r = new TrainingResult(history, reason, converged, model.parameters(), null, restored);
        listeners.forEach(l -> l.onFinish(r));
        return r;
    }

    /**
     * How many steps to hand the backend at once: the whole epoch when nothing can interrupt,
     * else a number that grows or shrinks to keep a chunk near {@link #CHUNK_NANOS}.
     */
    private static final class ChunkSize {
        private final boolean interruptible;
        private final int epochSteps;
        private int steps = 1;

        ChunkSize(boolean interruptible, int epochSteps) {
            this.interruptible = interruptible;
            this.epochSteps = epochSteps;
        }

        int next() {
            return interruptible ? steps : epochSteps;
        }

        void took(long nanos) {
            if (nanos < CHUNK_NANOS / 2) steps = Math.min(epochSteps, steps * 2);
            else if (nanos > 2 * CHUNK_NANOS) steps = Math.max(1, steps / 2);
        }
    }
}
