package dev.downhill.anchor;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.workload.Workload;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Deeplearning4j training a workload as Downhill's benchmark does: the same network, plain SGD
 * (lr 1e-3), the same synthetic rows, timed epochs of about half a second after warm-up epochs.
 * Each step is {@code fit} on a batch made before timing, DL4J's fastest way to take a step.
 */
final class Dl4jThroughput {
    private static final long EPOCH_NANOS = 500_000_000L;
    /** Distinct batches held in memory; longer epochs go round them again. */
    private static final int MAX_BATCHES = 32;

    private Dl4jThroughput() {}

    /** Median and best samples/s over the timed epochs. */
    record Result(double medianSamplesPerSecond, double bestSamplesPerSecond) {}

    static Result measure(Workload w, int warmups, int repeats) {
        MultiLayerNetwork net = network(w);
        List<DataSet> batches = batches(w, w.batchSize() == 1 ? 20_000 : MAX_BATCHES);
        int probe = Math.min(batches.size(), 8);
        epoch(net, batches, probe);                                  // first use: JIT, workspaces
        long start = System.nanoTime();
        epoch(net, batches, probe);
        double stepNanos = Math.max(1, (System.nanoTime() - start) / (double) probe);
        int steps = (int) Math.max(2, Math.min(w.batchSize() == 1 ? batches.size() : 1000, EPOCH_NANOS / stepNanos));
        for (int i = 0; i < warmups; i++) epoch(net, batches, steps);
        long[] nanos = new long[repeats];
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            epoch(net, batches, steps);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        double rows = (double) steps * w.batchSize();
        return new Result(rows / (nanos[repeats / 2] / 1e9), rows / (nanos[0] / 1e9));
    }

    /** Which ND4J backend and BLAS run, on how many threads. */
    static String describe() {
        return Nd4j.getBackend().getClass().getSimpleName() + ", BLAS " + Nd4j.factory().blas().getBlasVendor()
                + ", " + Nd4j.getEnvironment().maxMasterThreads() + " threads";
    }

    private static void epoch(MultiLayerNetwork net, List<DataSet> batches, int steps) {
        for (int s = 0; s < steps; s++) net.fit(batches.get(s % batches.size()));
        if (!Double.isFinite(net.score())) throw new IllegalStateException("DL4J's training diverged");
    }

    /** The workload's network: dense layers, the hidden activation, an identity output under MSE or softmax under cross-entropy. */
    static MultiLayerNetwork network(Workload w) {
        int[] widths = w.widths();
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(0).dataType(DataType.FLOAT).updater(new Sgd(1e-3))
                .weightInit(WeightInit.UNIFORM)                       // U(±1/√in), as nn.Linear and Downhill's weights
                .list();
        for (int i = 1; i < widths.length - 1; i++) {
            layers.layer(new DenseLayer.Builder().nIn(widths[i - 1]).nOut(widths[i]).activation(activation(w.hidden())).build());
        }
        boolean classes = w.loss() == Loss.CROSS_ENTROPY;
        layers.layer(new OutputLayer.Builder(classes ? LossFunction.MCXENT : LossFunction.MSE)
                .nIn(widths[widths.length - 2]).nOut(widths[widths.length - 1])
                .activation(classes ? org.nd4j.linalg.activations.Activation.SOFTMAX : org.nd4j.linalg.activations.Activation.IDENTITY)
                .build());
        MultiLayerNetwork net = new MultiLayerNetwork(layers.build());
        net.init();
        return net;
    }

    private static org.nd4j.linalg.activations.Activation activation(Activation a) {
        return switch (a) {
            case RELU -> org.nd4j.linalg.activations.Activation.RELU;
            case SIGMOID -> org.nd4j.linalg.activations.Activation.SIGMOID;
            case TANH -> org.nd4j.linalg.activations.Activation.TANH;
            default -> throw new IllegalArgumentException("no DL4J counterpart set up for " + a);
        };
    }

    /** Up to {@code count} batches of the workload's synthetic rows (the same rows Downhill's benchmark trains on). */
    private static List<DataSet> batches(Workload w, int count) {
        dev.downhill.data.DataSet data = w.syntheticData(count * w.batchSize(), 1);
        int in = data.featureWidth(), out = data.targetWidth(), b = w.batchSize();
        List<DataSet> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] x = Arrays.copyOfRange(data.features(), i * b * in, (i + 1) * b * in);
            float[] y = Arrays.copyOfRange(data.targets(), i * b * out, (i + 1) * b * out);
            batches.add(new DataSet(Nd4j.create(x, new long[] {b, in}, 'c'), Nd4j.create(y, new long[] {b, out}, 'c')));
        }
        return batches;
    }
}
