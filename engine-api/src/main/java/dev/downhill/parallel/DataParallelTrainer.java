package dev.downhill.parallel;

import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.DeviceGradient;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.train.EpochReport;
import dev.downhill.train.NonFiniteLossException;
import dev.downhill.train.TrainingConfig;
import dev.downhill.train.TrainingListener;
import dev.downhill.train.TrainingProgress;
import dev.downhill.train.TrainingResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * One rank's part of synchronous data-parallel training. Each rank holds a shard of the training
 * rows, and its model was loaded with them. Every step each rank computes the gradient of its next
 * {@code batchSize} rows (as a part of the step's whole batch, {@link TrainableModel#gradients(int[], int)}),
 * the ranks sum their gradients weighted by their shares of the step's rows, and every rank applies
 * the same sum ({@link TrainableModel#applyGradients}); the ranks' parameters stay equal without
 * ever being sent. With N equal shards this is one process training on batches of N·b rows made of
 * rank 0's b rows, then rank 1's, and so on, dropout's masks included; shards that differ make the
 * last steps' batches smaller, each rank weighted by the rows it had. With a collective that sums
 * device buffers (NCCL) and a model that keeps its gradient on its device ({@link DeviceGradient}),
 * the gradient never comes to the host.
 */
public final class DataParallelTrainer {
    private final TrainingConfig config;
    private final Collective collective;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private BooleanSupplier stopRequested = () -> false;
    private Consumer<TrainingProgress> checkpoint;
    private int checkpointEverySteps;
    /** Time in the collective, by epoch finished. */
    private final List<Long> exchangeNanos = new ArrayList<>();
    private java.time.Duration stepTimeout;

    public DataParallelTrainer(TrainingConfig config, Collective collective) {
        this.config = config;
        this.collective = collective;
    }

    public DataParallelTrainer listener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Stops between two steps once {@code requested} says so (a cancelled task), after handing the progress to the checkpoint saver. */
    public DataParallelTrainer stopWhen(BooleanSupplier requested) {
        this.stopRequested = requested;
        return this;
    }

    /**
     * Aborts the collective when a step takes longer than {@code timeout}: a peer that hangs makes this
     * rank fail (with a {@link CollectiveException}) instead of waiting for ever.
     */
    public DataParallelTrainer stepTimeout(java.time.Duration timeout) {
        this.stepTimeout = timeout;
        return this;
    }

    /** Hands the progress to {@code save} after every {@code everySteps} steps (counted over the run; 0: never), and when stopped. */
    public DataParallelTrainer checkpoints(int everySteps, Consumer<TrainingProgress> save) {
        if (everySteps < 0) throw new IllegalArgumentException("checkpoint interval must be >= 0");
        this.checkpointEverySteps = everySteps;
        this.checkpoint = save;
        return this;
    }

    /**
     * The order in which {@code rank} visits its {@code rows} rows in {@code epoch}: in order, or a
     * permutation drawn from the seed, the epoch and the rank alone, so that a resumed run visits them as
     * an uninterrupted one.
     */
    public static int[] shardOrder(TrainingConfig config, int rows, int epoch, int rank) {
        if (!config.shuffle()) return IntStream.range(0, rows).toArray();
        return DataSet.permutation(rows, (config.seed() * 0x9E3779B97F4A7C15L + epoch) * 0xBF58476D1CE4E5B9L + rank);
    }

    /** Trains {@code model} (loaded with this rank's shard) from the start; {@code shardRows[r]} is rank r's row count. */
    public TrainingResult train(TrainableModel model, int[] shardRows) {
        return resume(model, shardRows, TrainingProgress.start());
    }

    /** Continues from {@code from}; the model must already hold the parameters and optimiser state saved with it. */
    public TrainingResult resume(TrainableModel model, int[] shardRows, TrainingProgress from) {
        if (stepTimeout == null) return run(model, shardRows, from, null);
        try (Watchdog watchdog = new Watchdog(collective, stepTimeout)) {
            try {
                return run(model, shardRows, from, watchdog);
            } catch (RuntimeException e) {
                if (!watchdog.fired()) throw e;
                throw new CollectiveException("rank " + collective.rank() + " of " + collective.worldSize() + ": a step took longer than "
                        + stepTimeout.toMillis() + " ms, and the watchdog aborted the collective", e);
            }
        }
    }

    private TrainingResult run(TrainableModel model, int[] shardRows, TrainingProgress from, Watchdog watchdog) {
        if (shardRows.length != collective.worldSize()) {
            throw new IllegalArgumentException(shardRows.length + " shard sizes for " + collective.worldSize() + " ranks");
        }
        int rank = collective.rank(), batch = config.batchSize(), parameters = model.network().layout().size();
        int stepsPerEpoch = 0;
        long totalRows = 0;
        for (int rows : shardRows) {
            stepsPerEpoch = Math.max(stepsPerEpoch, (rows + batch - 1) / batch);
            totalRows += rows;
        }
        if (totalRows == 0) throw new IllegalArgumentException("no rank has a training row");
        listeners.forEach(l -> l.onStart(config.epochs()));
        List<EpochReport> history = new ArrayList<>(from.history());
        float baseRate = model.optimizer().learningRate();
        DeviceGradient onDevice = deviceGradient(model);
        // host path: the weighted gradient, then the weighted loss, summed in one all-reduce; then the gradient alone
        float[] exchanged = onDevice != null ? null : new float[parameters + 1];
        float[] summed = onDevice != null ? null : new float[parameters];
        int stepsTaken = from.epoch() * stepsPerEpoch + from.step();
        for (int epoch = from.epoch(); epoch < config.epochs(); epoch++) {
            float rate = config.schedule().rate(baseRate, epoch);
            int[] order = shardOrder(config, shardRows[rank], epoch, rank);
            boolean resuming = epoch == from.epoch();
            double lossSum = resuming ? from.lossSum() : 0;
            long start = System.nanoTime(), exchanging = 0;
            for (int step = resuming ? from.step() : 0; step < stepsPerEpoch; step++) {
                if (stopRequested.getAsBoolean()) {
                    return stopped(model, new TrainingProgress(epoch, step, lossSum, 0, history));
                }
                int stepRows = 0, firstRow = 0, mine = rowsAt(shardRows[rank], step);
                for (int r = 0; r < shardRows.length; r++) {
                    stepRows += rowsAt(shardRows[r], step);
                    if (r < rank) firstRow += rowsAt(shardRows[r], step);
                }
                int[] rows = mine == 0 ? new int[0] : Arrays.copyOfRange(order, step * batch, step * batch + mine);
                float share = (float) mine / stepRows, loss;
                if (onDevice != null) {
                    onDevice.computeGradient(rows, firstRow, share);
                    long exchangeStart = System.nanoTime();
                    collective.allReduceSumOnDevice(onDevice.exchangeAddress(), onDevice.exchangeLength(), onDevice.stream());
                    exchanging += System.nanoTime() - exchangeStart;     // the enqueueing only: the device runs it in order
                    loss = onDevice.applyGradient(rate);
                } else {
                    Arrays.fill(exchanged, 0f);
                    if (mine > 0) {
                        BatchGradients g = model.gradients(rows, firstRow);
                        for (int i = 0; i < parameters; i++) exchanged[i] = share * g.gradients()[i];
                        exchanged[parameters] = share * g.loss();
                    }
                    long exchangeStart = System.nanoTime();
                    collective.allReduceSum(exchanged);
                    exchanging += System.nanoTime() - exchangeStart;
                    loss = exchanged[parameters];
                    if (Float.isFinite(loss)) {
                        System.arraycopy(exchanged, 0, summed, 0, parameters);
                        model.applyGradients(summed, rate);
                    }
                }
                if (!Float.isFinite(loss)) throw new NonFiniteLossException(epoch + 1, step + 1, rate);
                lossSum += (double) loss * stepRows;
                stepsTaken++;
                if (watchdog != null) watchdog.progress();
                for (TrainingListener l : listeners) l.onSteps(epoch, step + 1, stepsPerEpoch);
                if (checkpointEverySteps > 0 && stepsTaken % checkpointEverySteps == 0 && step + 1 < stepsPerEpoch) {
                    checkpoint.accept(new TrainingProgress(epoch, step + 1, lossSum, 0, history));
                }
            }
            exchangeNanos.add(exchanging);
            EpochReport report = new EpochReport(epoch + 1, lossSum / totalRows, Double.NaN, Double.NaN, rate, Double.NaN,
                    System.nanoTime() - start);
            history.add(report);
            listeners.forEach(l -> l.onEpoch(report));
            if (checkpointEverySteps > 0 && stepsTaken % checkpointEverySteps == 0 && epoch + 1 < config.epochs()) {
                checkpoint.accept(new TrainingProgress(epoch + 1, 0, 0, 0, history));
            }
        }
        TrainingResult result = new TrainingResult(history, "reached " + config.epochs()
                + (config.epochs() == 1 ? " epoch" : " epochs"), false, model.parameters(), null);
        listeners.forEach(l -> l.onFinish(result));
        return result;
    }

    /** The model's device-side step where the collective sums device buffers; null for the host path. */
    private DeviceGradient deviceGradient(TrainableModel model) {
        if (!collective.sumsDeviceBuffers()) return null;
        return model.capability(DeviceGradient.class).orElseThrow(() -> new IllegalArgumentException(
                "the collective sums device buffers and the model's gradient is on the host: use a host collective (the TCP ring)"));
    }

    /**
     * Time this rank spent in the collective's all-reduce (the exchange of gradients, and waiting for the
     * slowest rank) in each epoch this trainer finished, in order: the same epochs as the history's
     * times, so that the two compare.
     */
    public long[] exchangeNanosByEpoch() {
        return exchangeNanos.stream().mapToLong(Long::longValue).toArray();
    }

    /** Rows a shard of {@code rows} rows gives to step {@code step}: b, the remainder, or none. */
    private int rowsAt(int rows, int step) {
        return Math.clamp(rows - (long) step * config.batchSize(), 0, config.batchSize());
    }

    private TrainingResult stopped(TrainableModel model, TrainingProgress progress) {
        if (checkpoint != null) checkpoint.accept(progress);
        TrainingResult r = TrainingResult.stoppedAt(progress, model.parameters());
        listeners.forEach(l -> l.onFinish(r));
        return r;
    }
}
