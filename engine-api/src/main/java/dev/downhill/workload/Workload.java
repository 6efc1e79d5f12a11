package dev.downhill.workload;

import dev.downhill.InputException;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A standard workload: the networks every speed claim of the project is made on, trained with
 * plain SGD (lr 1e-3) on random normal inputs and targets made in memory.
 *
 * @param widths    layer widths from input to output
 * @param hidden    the hidden layers' activation
 * @param loss      MSE, or cross-entropy with a softmax output
 * @param batchSize rows per step
 */
public record Workload(String name, int[] widths, Activation hidden, Loss loss, int batchSize) {
    public static final List<Workload> STANDARD = List.of(
            new Workload("tiny", new int[] {2, 2, 1}, Activation.SIGMOID, Loss.MSE, 1),
            new Workload("mnist", new int[] {784, 512, 512, 10}, Activation.RELU, Loss.CROSS_ENTROPY, 128),
            new Workload("tcnn", new int[] {64, 64, 64, 64, 64, 16}, Activation.RELU, Loss.MSE, 1 << 18),
            new Workload("wide", new int[] {4096, 4096, 4096, 4096, 4096}, Activation.RELU, Loss.MSE, 4096));

    /** The widths are copied in and out: a standard workload cannot be changed by whoever reads it. */
    public Workload {
        widths = widths.clone();
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    /** Equal when every component is, the widths by their values (a record compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Workload w && name.equals(w.name) && java.util.Arrays.equals(widths, w.widths)
                && hidden == w.hidden && loss == w.loss && batchSize == w.batchSize;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, java.util.Arrays.hashCode(widths), hidden, loss, batchSize);
    }

    @Override
    public String toString() {
        return "Workload[" + name + " " + shape() + ", " + hidden.id() + ", " + loss.id() + ", batch " + batchSize + "]";
    }

    public static Workload named(String name) {
        return STANDARD.stream().filter(w -> w.name.equals(name)).findFirst().orElseThrow(() -> new InputException(
                "unknown workload '" + name + "' (expected " + String.join(", ", STANDARD.stream().map(Workload::name).toList()) + ")"));
    }

    /** The same workload with another batch size. */
    public Workload withBatch(int batch) {
        return new Workload(name, widths, hidden, loss, batch);
    }

    /** The same settings under another name, with other layer widths (for the width sweep). */
    public Workload renamed(String newName, int... newWidths) {
        return new Workload(newName, newWidths.clone(), hidden, loss, batchSize);
    }

    /** The same workload with other layer widths (for sweeps and for smaller CPU versions). */
    public Workload withWidths(int... newWidths) {
        return new Workload(name, newWidths.clone(), hidden, loss, batchSize);
    }

    /** The widths joined by dashes. */
    public String shape() {
        return String.join("-", java.util.Arrays.stream(widths).mapToObj(Integer::toString).toList());
    }

    public Network network(long seed) {
        Network.Builder b = Network.builder(widths[0]);
        for (int i = 1; i < widths.length; i++) {
            boolean last = i == widths.length - 1;
            b.dense(widths[i], !last ? hidden : loss == Loss.CROSS_ENTROPY ? Activation.SOFTMAX : Activation.IDENTITY);
        }
        return b.loss(loss).seed(seed).build();
    }

    /** Floating-point operations of one training sample: 6·Σ in·out (forward 2, backward 4). */
    public long flopsPerSample() {
        return network(0).flopsPerSample();
    }

    /** Rows made from one random stream each; the streams are split off one seed, so the data is the same on any number of cores. */
    private static final int ROWS_PER_STREAM = 4096;

    /**
     * {@code rows} random rows: N(0,1) inputs; N(0,1) targets, or one-hot random classes for
     * cross-entropy. Made on all cores: a GPU benchmark's epoch holds up to 2²⁸ input values.
     */
    public DataSet syntheticData(int rows, long seed) {
        int in = widths[0], out = widths[widths.length - 1];
        if (rows < 1) throw new InputException(name + ": rows of random data must be at least 1, got " + rows);
        long cells = (long) rows * (in + out);
        dev.downhill.MemoryBudget.require(4 * cells, (long) rows * Math.max(in, out), name + ": " + rows + " rows of random data");
        float[] x = new float[rows * in];
        float[] y = new float[rows * out];
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] streams = new SplittableRandom[(rows + ROWS_PER_STREAM - 1) / ROWS_PER_STREAM];
        for (int i = 0; i < streams.length; i++) streams[i] = root.split();
        IntStream.range(0, streams.length).parallel().forEach(i -> {
            SplittableRandom random = streams[i];
            int from = i * ROWS_PER_STREAM, to = Math.min(rows, from + ROWS_PER_STREAM);
            for (int j = from * in; j < to * in; j++) x[j] = (float) gaussian(random);
            for (int r = from; r < to; r++) {
                if (loss == Loss.CROSS_ENTROPY) y[r * out + random.nextInt(out)] = 1;
                else for (int c = 0; c < out; c++) y[r * out + c] = (float) gaussian(random);
            }
        });
        return DataSet.of(x, in, y, out);
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller: SplittableRandom has no nextGaussian of its own on every JDK
        double u = 1 - random.nextDouble(), v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
