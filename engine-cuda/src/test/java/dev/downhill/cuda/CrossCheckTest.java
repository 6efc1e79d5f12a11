package dev.downhill.cuda;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.StepsResult;
import dev.downhill.backend.TrainableModel;
import dev.downhill.cpu.CpuBackendProvider;
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

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The same network, initial parameters, data and settings on the CPU reference and on the
 * GPU: forward outputs, loss and every gradient of a batch, then the parameters after 1 and
 * after 50 steps, within a relative error of 1e-4 (see {@link Agreement}).
 * <p>
 * Fifty steps can amplify float32 rounding by themselves: RMSProp divides each gradient by the
 * root of its own running square, so in its first steps every parameter moves by about ±η
 * whatever the gradient's size, and a gradient element near zero whose sign rounding flips
 * moves the other way. Each case therefore also trains in double precision (the exact math
 * both backends approximate) and measures the CPU's float32 drift from it; after 50 steps the
 * GPU may differ from the CPU by at most max(1e-4, 2 × that drift): two float32 runs each within
 * the drift of the exact path are within twice it of each other.
 */
@org.junit.jupiter.api.extension.ExtendWith(RequiresGpu.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossCheckTest {
    static final double FP32_BOUND = 1e-4;
    private Backend cpu, gpu;
    private final List<String> failures = new ArrayList<>();
    private int checked;

    @BeforeAll
    void open() {
        gpu = Gpu.open(BackendOptions.MathMode.FP32);
        cpu = new CpuBackendProvider().create(BackendOptions.defaults());
    }

    @AfterAll
    void close() {
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
    }

    /** Every hidden activation with every loss and output activation the enums allow. */
    @Test
    void everyActivationWithEveryLoss() {
        int expected = 0;
        for (Activation h : Activation.hidden()) {
            for (Loss loss : Loss.values()) {
                for (Activation output : loss.outputActivations()) {
                    Network net = Network.builder(33).dense(33, h).dense(loss == Loss.BCE ? 1 : 5, output).loss(loss)
                            .seed(h.ordinal() * 7L + loss.ordinal() + 101L * output.ordinal()).build();
                    compare(h + "/" + loss + "/" + output, net, Optimizer.Sgd.plain(0.05f), 7, FP32_BOUND, Regularization.NONE);
                    expected++;
                }
            }
        }
        report(expected);
    }

    @Test
    void everyOptimizer() {
        Optimizer[] optimizers = {Optimizer.Sgd.plain(0.01f), new Optimizer.Sgd(0.01f, 0.9f, false, 0),
                new Optimizer.Sgd(0.01f, 0.9f, true, 1e-3f), Optimizer.Adam.defaults(1e-3f),
                new Optimizer.Adam(1e-3f, 0.8f, 0.99f, 1e-8f, 0.01f), Optimizer.AdamW.defaults(1e-3f),
                Optimizer.RmsProp.defaults(1e-3f), new Optimizer.RmsProp(1e-3f, 0.9f, 1e-8f, 0.5f, 1e-3f)};
        for (Optimizer o : optimizers) {
            Network net = Network.builder(33).dense(257, Activation.RELU).dense(10, Activation.SOFTMAX)
                    .loss(Loss.CROSS_ENTROPY).seed(3).build();
            compare(o.toString(), net, o, 128, FP32_BOUND, Regularization.NONE);
        }
        report(optimizers.length);
    }

    @Test
    void batchSizesAndWidthsThatAreNotMultiplesOf32() {
        int[][] shapes = {{3, 3, 1}, {3, 257, 3}, {257, 33, 3}};
        int[] batches = {1, 7, 128, 1000};
        for (int[] w : shapes) {
            for (int b : batches) {
                Network net = Network.builder(w[0]).dense(w[1], Activation.TANH).dense(w[2], Activation.IDENTITY)
                        .seed(b).build();
                compare(java.util.Arrays.toString(w) + " batch " + b, net, new Optimizer.Sgd(0.01f, 0.9f, false, 0), b,
                        FP32_BOUND, Regularization.NONE);
            }
        }
        report(shapes.length * batches.length);
    }

    /**
     * Dropout (dropout.cu draws the CPU's Philox masks) and clipping (clip_norm.cu), each alone and
     * together, on the general path: the limit 0.05 is below these networks' first gradient norms.
     */
    @Test
    void dropoutAndClipping() {
        List<Regularization> cases = List.of(Regularization.NONE.withDropout(0.3, 7), Regularization.NONE.withClipNorm(0.05),
                Regularization.NONE.withDropout(0.5, 8).withClipNorm(0.05));
        for (Regularization r : cases) {
            for (Activation h : List.of(Activation.TANH, Activation.RELU)) {
                Network net = Network.builder(33).dense(65, h).dense(31, h).dense(5, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY)
                        .seed(h.ordinal()).build();
                compare(h + ", " + r, net, new Optimizer.Sgd(0.05f, 0.9f, false, 0), 64, FP32_BOUND, r);
            }
        }
        report(2 * cases.size());
    }

    /**
     * Outputs, loss and gradients of the first batch; parameters after one step and after 50; the
     * epoch's loss. Without regularisation the bound after 50 steps allows for the float32 drift from
     * the exact math (the class comment); with it, which the double-precision trainer does not model,
     * it is {@code bound}.
     */
    void compare(String name, Network net, Optimizer optimizer, int batch, double bound, Regularization regularization) {
        checked++;
        DataSet data = TestData.randomFor(net, 50 * batch, 17);
        float[] initial = net.initialParameters();
        try (TrainableModel c = cpu.load(net, initial, optimizer, data, regularization);
             TrainableModel g = gpu.load(net, initial, optimizer, data, regularization)) {
            int[] first = IntStream.range(0, batch).toArray();
            BatchGradients rc = c.gradients(first), rg = g.gradients(first);
            double out = Agreement.check(name + " outputs", rc.outputs(), rg.outputs(), bound);
            double loss = Agreement.check(name + " loss", new float[] {rc.loss()}, new float[] {rg.loss()}, bound);
            double grad = Agreement.check(name + " gradients", rc.gradients(), rg.gradients(), bound);
            for (var t : net.layout().tensors()) {
                Agreement.check(name + " gradient " + t.name(), slice(rc.gradients(), t), slice(rg.gradients(), t), bound);
            }
            c.trainSteps(first, batch, optimizer.learningRate());
            g.trainSteps(first, batch, optimizer.learningRate());
            double one = Agreement.check(name + " parameters after 1 step", c.parameters(), g.parameters(), bound);
            int[] rest = IntStream.range(batch, 50 * batch).toArray();
            StepsResult ec = c.trainSteps(rest, batch, optimizer.learningRate());
            StepsResult eg = g.trainSteps(rest, batch, optimizer.learningRate());
            double drift = regularization.isNone() ? Agreement.relativeError(dev.downhill.testing.ReferenceMlp.train(net,
                    initial, optimizer, data, IntStream.range(0, 50 * batch).toArray(), batch), c.parameters()) : 0;
            double bound50 = Math.max(bound, 2 * drift);
            double fifty = Agreement.check(name + " parameters after 50 steps (float32 drift " + String.format("%.1e", drift)
                    + ")", c.parameters(), g.parameters(), bound50);
            double epoch = Agreement.check(name + " epoch loss", new float[] {(float) ec.meanLoss()},
                    new float[] {(float) eg.meanLoss()}, bound);
            System.out.printf("%-60s outputs %.1e loss %.1e grads %.1e step1 %.1e step50 %.1e (cpu vs float64 %.1e, "
                    + "bound %.1e) epoch %.1e%n", name, out, loss, grad, one, fifty, drift, bound50, epoch);
        } catch (AssertionError e) {
            failures.add(e.getMessage());
        }
    }

    private void report(int expected) {
        assertEquals(expected, checked, "cases checked");
        checked = 0;
        List<String> found = List.copyOf(failures);
        failures.clear();
        assertTrue(found.isEmpty(), String.join("\n", found));
    }

    private static float[] slice(float[] flat, dev.downhill.network.ParameterLayout.Tensor t) {
        return dev.downhill.network.ParameterLayout.slice(flat, t);
    }
}
