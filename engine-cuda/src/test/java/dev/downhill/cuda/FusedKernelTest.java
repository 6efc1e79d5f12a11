package dev.downhill.cuda;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.StepsResult;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one-launch epoch kernels (tiny_net_epoch row by row in registers; small_net_epoch row by
 * row and in small batches) against the general path
 * (cuBLAS products in a captured graph per step) on the same GPU: parameters and epoch losses
 * after a whole epoch, within max(1e-4, 2 × the float32 drift from double precision), as in
 * {@link CrossCheckTest}: RMSProp amplifies rounding by itself. Plain RMSProp is left out: it
 * is the extreme case CrossCheckTest measures.
 */
@ExtendWith(RequiresGpu.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FusedKernelTest {
    private CudaBackend gpu;

    @BeforeAll
    void open() {
        gpu = (CudaBackend) Gpu.open(BackendOptions.MathMode.FP32);
    }

    @AfterAll
    void close() {
        if (gpu != null) gpu.close();
    }

    private static final Optimizer[] OPTIMIZERS = {Optimizer.Sgd.plain(0.05f), new Optimizer.Sgd(0.02f, 0.9f, false, 0),
            new Optimizer.Sgd(0.02f, 0.9f, true, 0.01f), Optimizer.Adam.defaults(0.01f), Optimizer.AdamW.defaults(0.01f),
            new Optimizer.RmsProp(0.01f, 0.9f, 1e-8f, 0.5f, 0.01f)};

    @Test
    void rowByRowEpochOfTheSeedNetworkWithEveryOptimiser() {
        Network seed = Network.builder(2).dense(2, Activation.SIGMOID).dense(1, Activation.IDENTITY).seed(42).build();
        for (Optimizer o : OPTIMIZERS) {
            compare("seed 2-2-1 " + o, seed, o, 1, 64, EpochPath.TINY_NET);
            compare("seed 2-2-1 in shared memory " + o, seed, o, 1, 64, EpochPath.SMALL_NET);
        }
    }

    @Test
    void rowByRowEpochsInRegistersForEveryLossAndActivation() {
        Network ce = Network.builder(3).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY)
                .seed(4).build();
        Network bce = Network.builder(4).dense(3, Activation.LEAKY_RELU).dense(1, Activation.SIGMOID).loss(Loss.BCE)
                .seed(5).build();
        Network mse = Network.builder(1).dense(4, Activation.RELU).dense(2, Activation.TANH).seed(6).build();
        Network widest = Network.builder(4).dense(4, Activation.SIGMOID).dense(2, Activation.SIGMOID).seed(7).build();
        // 100 rows: three full chunks of 32 and a partial one, so the prefetch meets every boundary
        for (Optimizer o : OPTIMIZERS) {
            compare("3-4-2 ce " + o, ce, o, 1, 100, EpochPath.TINY_NET);
            compare("4-3-1 bce " + o, bce, o, 1, 100, EpochPath.TINY_NET);
            compare("1-4-2 mse " + o, mse, o, 1, 100, EpochPath.TINY_NET);
            compare("4-4-2 mse " + o, widest, o, 1, 33, EpochPath.TINY_NET);
        }
    }

    /** Every pairing of activation and loss each one-launch path declares, with Adam, against the general path. */
    @Test
    void everyPathWithEveryPairingItDeclares() {
        int checked = 0;
        for (PathCase c : PathCase.all()) {
            if (c.path() == EpochPath.STEP_GRAPH || !c.path().supports(c.network())) continue;
            compare(c.toString(), c.network(), Optimizer.Adam.defaults(0.01f), c.batch(), c.rows(), c.path());
            checked++;
        }
        assertTrue(checked >= 3 * Activation.hidden().size(), "pairings checked: " + checked);
    }

    @Test
    void narrowMlpStepsInOneKernel() {
        for (Optimizer o : OPTIMIZERS) {
            for (NarrowMlpCase c : NarrowMlpCase.ALL) {
                compare(c.name() + " " + o, c.network(), o, c.batch(), c.rows(), EpochPath.FUSED_MLP);
            }
        }
    }

    @Test
    void smallBatchesOfSmallNetworks() {
        Network ce = Network.builder(3).dense(16, Activation.TANH).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Loss.CROSS_ENTROPY).seed(1).build();
        Network bce = Network.builder(4).dense(8, Activation.LEAKY_RELU).dense(1, Activation.SIGMOID).loss(Loss.BCE).seed(2).build();
        Network mse = Network.builder(5).dense(7, Activation.SIGMOID).dense(2, Activation.TANH).seed(3).build();
        for (Optimizer o : OPTIMIZERS) {
            compare("3-16-16-3 ce batch 7 " + o, ce, o, 7, 70, EpochPath.SMALL_NET);
            compare("3-16-16-3 ce batch 32 " + o, ce, o, 32, 100, EpochPath.SMALL_NET);
            compare("4-8-1 bce batch 5 " + o, bce, o, 5, 70, EpochPath.SMALL_NET);
            compare("5-7-2 mse batch 1 " + o, mse, o, 1, 40, EpochPath.SMALL_NET);
        }
    }

    private void compare(String name, Network net, Optimizer optimizer, int batch, int rows, EpochPath path) {
        DataSet data = TestData.randomFor(net, rows, 5);
        int[] order = IntStream.range(0, rows).map(i -> (i * 37) % rows).toArray();
        try (CudaModel fused = (CudaModel) gpu.load(net, net.initialParameters(), optimizer, data);
             CudaModel general = (CudaModel) gpu.load(net, net.initialParameters(), optimizer, data)) {
            fused.limitPath(path);
            general.limitPath(EpochPath.STEP_GRAPH);
            assertEquals(path, fused.path(batch), name + " takes the path under test");
            assertEquals(EpochPath.STEP_GRAPH, general.path(batch));
            for (int epoch = 0; epoch < 2; epoch++) {
                StepsResult f = fused.trainSteps(order, batch, optimizer.learningRate());
                StepsResult g = general.trainSteps(order, batch, optimizer.learningRate());
                assertEquals(g.steps(), f.steps());
                Agreement.check(name + " epoch " + (epoch + 1) + " loss", new float[] {(float) g.meanLoss()},
                        new float[] {(float) f.meanLoss()}, CrossCheckTest.FP32_BOUND);
            }
            if (path == EpochPath.FUSED_MLP && rows % batch == 0) {
                assertEquals(0, fused.batchRows(), name + ": the fused step needs none of the general step's buffers");
            }
            double[] exact = dev.downhill.testing.ReferenceMlp.train(net, net.initialParameters(), optimizer, data,
                    order, batch, 2, false);
            double drift = Agreement.relativeError(exact, general.parameters());
            double e = Agreement.check(name + " parameters after 2 epochs", general.parameters(), fused.parameters(),
                    Math.max(CrossCheckTest.FP32_BOUND, 2 * drift));
            System.out.printf("%-70s fused vs general %.1e (float32 drift %.1e)%n", name, e, drift);
        }
    }
}
