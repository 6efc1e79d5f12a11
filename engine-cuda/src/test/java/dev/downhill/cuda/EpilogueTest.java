package dev.downhill.cuda;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.BatchGradients;
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
 * Hidden ReLU layers computed with cuBLASLt's epilogues (bias and ReLU in the forward product;
 * ReLU's derivative and the bias gradient in the backward one) against the unfused path
 * (products, then elementwise kernels and a bias-gradient product), on the same GPU: the fused
 * path is taken, and outputs, loss and every gradient agree within {@link CrossCheckTest#FP32_BOUND},
 * the parameters after 20 steps within max(that, 2 × the float32 drift from double precision), as
 * in CrossCheckTest, which checks the fused path against the CPU.
 */
@ExtendWith(RequiresGpu.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EpilogueTest {
    private CudaBackend gpu;

    @BeforeAll
    void open() {
        gpu = (CudaBackend) Gpu.open(BackendOptions.MathMode.FP32);
    }

    @AfterAll
    void close() {
        if (gpu != null) gpu.close();
    }

    @Test
    void fusedReluLayersAgreeWithTheUnfusedPath() {
        // widths off the multiples of 128 (the mask's stride) and of 4 (alignment), a sigmoid layer between
        Network mixed = Network.builder(33).dense(130, Activation.RELU).dense(7, Activation.SIGMOID)
                .dense(257, Activation.RELU).dense(5, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY).seed(11).build();
        Network mse = Network.builder(20).dense(64, Activation.RELU).dense(64, Activation.RELU).dense(3, Activation.IDENTITY)
                .seed(12).build();
        for (int batch : new int[] {1, 7, 128, 1000}) {
            compare("33-130r-7s-257r-5 ce batch " + batch, mixed, batch, new boolean[] {true, false, true});
            compare("20-64r-64r-3 mse batch " + batch, mse, batch, new boolean[] {true, true});
        }
    }

    private void compare(String name, Network net, int batch, boolean[] fusedHidden) {
        int steps = 20, rows = steps * batch;
        DataSet data = TestData.randomFor(net, rows, 3);
        Optimizer sgd = new Optimizer.Sgd(0.01f, 0.9f, false, 0);
        int[] probe = IntStream.range(0, batch).map(i -> (i * 7) % rows).toArray();
        try (CudaModel fused = (CudaModel) gpu.load(net, net.initialParameters(), sgd, data);
             CudaModel plain = (CudaModel) gpu.load(net, net.initialParameters(), sgd, data)) {
            plain.useEpilogues(false);
            for (int l = 0; l < fusedHidden.length; l++) {
                assertEquals(fusedHidden[l], fused.fuses(batch, l), name + ": layer " + l + " fused");
                assertFalse(plain.fuses(batch, l));
            }
            BatchGradients f = fused.gradients(probe), p = plain.gradients(probe);
            Agreement.check(name + " outputs", p.outputs(), f.outputs(), CrossCheckTest.FP32_BOUND);
            Agreement.check(name + " loss", new float[] {p.loss()}, new float[] {f.loss()}, CrossCheckTest.FP32_BOUND);
            checkPerTensor(name + " gradients", net, p.gradients(), f.gradients());
            int[] order = IntStream.range(0, rows).map(i -> (int) ((i * 37L) % rows)).toArray();
            fused.trainEpoch(order, batch, sgd.learningRate());
            plain.trainEpoch(order, batch, sgd.learningRate());
            double[] exact = dev.downhill.testing.ReferenceMlp.train(net, net.initialParameters(), sgd, data, order, batch);
            double drift = Agreement.relativeError(exact, plain.parameters());
            double e = Agreement.check(name + " parameters after " + steps + " steps", plain.parameters(), fused.parameters(),
                    Math.max(CrossCheckTest.FP32_BOUND, 2 * drift));
            System.out.printf("%-40s gradients and parameters agree: after %d steps %.1e (float32 drift %.1e)%n", name,
                    steps, e, drift);
        }
    }

    private static void checkPerTensor(String name, Network net, float[] expected, float[] actual) {
        for (var t : net.layout().tensors()) {
            int from = t.offset(), to = from + t.length();
            Agreement.check(name + " " + t.name(), java.util.Arrays.copyOfRange(expected, from, to),
                    java.util.Arrays.copyOfRange(actual, from, to), CrossCheckTest.FP32_BOUND);
        }
    }
}
