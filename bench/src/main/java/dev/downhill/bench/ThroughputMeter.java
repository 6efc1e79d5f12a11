package dev.downhill.bench;

import dev.downhill.backend.DeviceKind;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.StepsResult;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.workload.Workload;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Times whole training epochs of a workload on a backend: synthetic rows for a number of steps
 * (bounded by host memory and arithmetic, then cut to about half a second after timing a probe of
 * a few steps), warm-up epochs (which also pay for graph capture and JIT), then timed epochs, of
 * which the median counts; an epoch shorter than that is repeated to fill it. An epoch ends with
 * the loss read back, so the time covers all device work.
 */
public final class ThroughputMeter {
    /**
     * Rows of synthetic data kept small enough for the host: at most this many input floats (1 GiB).
     * Enough for 16 steps of tcnn (2¹⁸ rows of 64): with fewer, what an epoch costs besides its steps
     * (the first piece of the row order, the losses read back) shows in the step time.
     */
    private static final long MAX_INPUT_FLOATS = 1L << 28;

    /** Arithmetic per timed epoch that keeps a slow backend's run short: about 4 s on the CPU reference. */
    public static final double CPU_EPOCH_FLOPS = 3e10;
    /** Per timed epoch on a GPU: a fraction of a second. */
    public static final double GPU_EPOCH_FLOPS = 1e13;

    /** The arithmetic of a timed epoch on a device of this kind. */
    public static double epochFlops(DeviceKind kind) {
        return switch (kind) {
            case CPU -> CPU_EPOCH_FLOPS;
            case GPU -> GPU_EPOCH_FLOPS;
        };
    }

    private final int warmups, repeats;
    private final double epochFlops;

    /** @param epochFlops about how much arithmetic one timed epoch may hold (it still has at least 2 steps) */
    public ThroughputMeter(int warmups, int repeats, double epochFlops) {
        if (warmups < 0 || repeats < 1) throw new IllegalArgumentException("warm-ups >= 0 and repeats >= 1");
        this.warmups = warmups;
        this.repeats = repeats;
        this.epochFlops = epochFlops;
    }

    /** Steps per timed epoch: enough to time, few enough that the data fits the host and the run stays short. */
    public static int steps(Workload w, double epochFlops) {
        long perStep = (long) w.batchSize() * w.widths()[0];
        double flopsPerStep = (double) w.batchSize() * w.flopsPerSample();
        long cap = Math.min(w.batchSize() == 1 ? 20_000 : 50, MAX_INPUT_FLOATS / perStep);
        return (int) Math.max(2, Math.min(cap, (long) (epochFlops / flopsPerStep)));
    }

    /** A timed epoch is cut to about this long, whatever its arithmetic, after a probe of a few steps. */
    static final long EPOCH_NANOS = 500_000_000L;

    public Throughput measure(Backend backend, String math, Workload workload, double peakFlops) {
        Network net = workload.network(0);
        long rows = (long) steps(workload, epochFlops) * workload.batchSize();
        if (rows > Integer.MAX_VALUE) {
            throw new InputException(workload.name() + " at batch " + workload.batchSize() + ": " + rows
                    + " rows of random data, more than one data set holds");
        }
        DataSet data = workload.syntheticData((int) rows, 1);
        return measure(backend, math, workload.name(), net, net.initialParameters(), Optimizer.Sgd.plain(1e-3f), data,
                workload.batchSize(), peakFlops);
    }

    /**
     * The throughput of any network training on any data: epochs of whole batches of the data's
     * rows in order (a batch larger than the data is cut to it), at the optimiser's learning rate.
     *
     * @param name what the rows call the workload
     */
    public Throughput measure(Backend backend, String math, String name, Network net, float[] initial, Optimizer optimizer,
                              DataSet data, int batchSize, double peakFlops) {
        int batch = Math.min(batchSize, data.rows()), maxSteps = data.rows() / batch;
        float rate = optimizer.learningRate();
        long[] nanos = new long[repeats];
        try (TrainableModel model = backend.load(net, initial, optimizer, data)) {
            int probe = Math.min(maxSteps, 8);
            int[] probeOrder = IntStream.range(0, probe * batch).toArray();
            check(model.trainSteps(probeOrder, batch, rate));                 // first use: capture, JIT
            long start = System.nanoTime();
            check(model.trainSteps(probeOrder, batch, rate));
            double stepNanos = Math.max(1, (System.nanoTime() - start) / (double) probe);
            int steps = (int) Math.max(Math.min(2, maxSteps), Math.min(maxSteps, EPOCH_NANOS / stepNanos));
            // a small data set's epochs are repeated up to the same half second, so that they are timed warm
            int passes = (int) Math.max(1, EPOCH_NANOS / (steps * stepNanos));
            int rows = steps * batch;
            int[] order = IntStream.range(0, rows).toArray();
            for (int i = 0; i < warmups; i++) timedPasses(model, order, batch, rate, passes);
            for (int i = 0; i < repeats; i++) nanos[i] = timedPasses(model, order, batch, rate, passes);
            Arrays.sort(nanos);
            double seconds = nanos[repeats / 2] / 1e9 / passes;
            double samples = rows / seconds;
            double flops = samples * net.flopsPerSample();
            return new Throughput(backend.name(), backend.device(), name, net.widths(), math, batch,
                    samples, seconds / steps, flops, peakFlops > 0 ? flops / peakFlops : Double.NaN);
        }
    }

    /** Nanoseconds for {@code passes} epochs over {@code order}. */
    private static long timedPasses(TrainableModel model, int[] order, int batch, float rate, int passes) {
        long t = System.nanoTime();
        for (int p = 0; p < passes; p++) check(model.trainSteps(order, batch, rate));
        return System.nanoTime() - t;
    }

    private static void check(StepsResult r) {
        if (r.diverged()) throw new InputException("the benchmark's training diverged at step " + r.nonFiniteStep()
                + ": the loss is no longer a number (lower the learning rate)");
    }
}
