package dev.downhill.cuda;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.TrainableModel;
import dev.downhill.cpu.CpuBackendProvider;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.testing.ReferenceMlp;
import dev.downhill.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TF32 tensor-core products against the float32 CPU reference. TF32 keeps 10 mantissa bits of
 * each product operand, so a TF32 result differs from the float32 one by what that rounding
 * does to these particular sums, which cancellation can make far larger than the 2⁻¹¹ per
 * operand. The bound is measured, per tensor: the same math in double precision with TF32-rounded
 * operands (ReferenceMlp with tf32) shows how far TF32 rounding alone moves each result from the
 * float32 reference, d; the GPU in TF32 mode must be within max(1e-4, 2d) of the reference.
 */
@ExtendWith(RequiresGpu.class)
class Tf32CrossCheckTest {
    @Test
    void tf32AgreesWithTheFloat32ReferenceWithinTwiceTheTf32RoundingItself() {
        try (Backend gpu = Gpu.open(BackendOptions.MathMode.TF32);
             Backend cpu = new CpuBackendProvider().create(BackendOptions.defaults())) {
            Network net = Network.builder(129).dense(257, Activation.RELU).dense(10, Activation.SOFTMAX)
                    .loss(Loss.CROSS_ENTROPY).seed(5).build();
            int batch = 128;
            DataSet data = TestData.randomFor(net, 50 * batch, 8);
            Optimizer sgd = new Optimizer.Sgd(0.01f, 0.9f, false, 0);
            float[] initial = net.initialParameters();
            double[] theta = ReferenceMlp.toDouble(initial);
            try (TrainableModel c = cpu.load(net, initial, sgd, data);
                 TrainableModel g = gpu.load(net, initial, sgd, data)) {
                int[] first = IntStream.range(0, batch).toArray();
                DataSet firstRows = data.select(first);
                BatchGradients rc = c.gradients(first), rg = g.gradients(first);
                double dOut = Agreement.relativeError(ReferenceMlp.outputs(net, theta, firstRows.features(), batch, true),
                        rc.outputs());
                double dGrad = Agreement.relativeError(ReferenceMlp.gradient(net, theta, firstRows.features(),
                        firstRows.targets(), batch, true), rc.gradients());
                double out = Agreement.check("tf32 outputs", rc.outputs(), rg.outputs(), bound(dOut));
                double grad = Agreement.check("tf32 gradients", rc.gradients(), rg.gradients(), bound(dGrad));
                c.trainSteps(first, batch, 0.01f);
                g.trainSteps(first, batch, 0.01f);
                double dOne = Agreement.relativeError(ReferenceMlp.train(net, initial, sgd, data, first, batch, 1, true),
                        c.parameters());
                double one = Agreement.check("tf32 parameters after 1 step", c.parameters(), g.parameters(), bound(dOne));
                int[] rest = IntStream.range(batch, 50 * batch).toArray();
                c.trainSteps(rest, batch, 0.01f);
                g.trainSteps(rest, batch, 0.01f);
                double dFifty = Agreement.relativeError(ReferenceMlp.train(net, initial, sgd, data,
                        IntStream.range(0, 50 * batch).toArray(), batch, 1, true), c.parameters());
                double fifty = Agreement.check("tf32 parameters after 50 steps", c.parameters(), g.parameters(), bound(dFifty));
                System.out.printf("tf32 129-257-10 batch 128, gpu vs cpu (tf32 rounding alone): outputs %.1e (%.1e) "
                        + "grads %.1e (%.1e) step1 %.1e (%.1e) step50 %.1e (%.1e)%n", out, dOut, grad, dGrad, one, dOne,
                        fifty, dFifty);
            }
        }
    }

    /**
     * A narrow MLP's step in one launch (mlp64_tf32_step.cu on tensor cores, where the device has
     * them), against the float32 CPU reference within the same measured bound: the loss of a first
     * step, and the parameters after two epochs, for each {@link NarrowMlpCase}.
     */
    @Test
    void narrowMlpStepsAgreeWithTheFloat32ReferenceWithinTwiceTheTf32RoundingItself() {
        try (CudaBackend gpu = (CudaBackend) Gpu.open(BackendOptions.MathMode.TF32);
             Backend cpu = new CpuBackendProvider().create(BackendOptions.defaults())) {
            NarrowMlpCase tcnn = NarrowMlpCase.ALL.getFirst(), tanh = NarrowMlpCase.ALL.get(1);
            System.out.println("tf32 narrow MLPs: " + Mlp64Plan.of(tcnn.network(), tcnn.batch(), gpu.tf32TensorCores).kernel()
                    + ", " + Mlp64Plan.of(tanh.network(), tanh.batch(), gpu.tf32TensorCores).kernel()
                    + " (compute capability " + gpu.ctx.computeCapability + ")");
            for (Optimizer o : new Optimizer[] {Optimizer.Sgd.plain(0.05f), Optimizer.Adam.defaults(0.01f)}) {
                for (NarrowMlpCase c : NarrowMlpCase.ALL) {
                    narrowMlp(c.name() + " " + o, gpu, cpu, c.network(), o, c.batch(), c.rows());
                }
            }
        }
    }

    private static void narrowMlp(String name, CudaBackend gpu, Backend cpu, Network net, Optimizer o, int batch, int rows) {
        DataSet data = TestData.randomFor(net, rows, 5);
        int[] order = IntStream.range(0, rows).map(i -> (i * 37) % rows).toArray();
        float[] initial = net.initialParameters();
        try (CudaModel g = (CudaModel) gpu.load(net, initial, o, data)) {
            g.limitPath(EpochPath.FUSED_MLP);
            assertEquals(EpochPath.FUSED_MLP, g.path(batch), name + " takes the fused path");
            int[] first = java.util.Arrays.copyOf(order, batch);
            DataSet firstRows = data.select(first);
            double[] theta = ReferenceMlp.toDouble(initial);
            double exact = ReferenceMlp.loss(net, theta, firstRows.features(), firstRows.targets(), batch);
            double rounded = loss(net, ReferenceMlp.outputs(net, theta, firstRows.features(), batch, true), firstRows.targets());
            double error = Math.abs(g.trainSteps(first, batch, o.learningRate()).meanLoss() - exact) / exact;
            double lossBound = bound(Math.abs(rounded - exact) / exact);
            assertTrue(error <= lossBound, name + " first step's loss: relative error " + error + " > " + lossBound);
        }
        try (CudaModel g = (CudaModel) gpu.load(net, initial, o, data);
             TrainableModel c = cpu.load(net, initial, o, data)) {
            g.limitPath(EpochPath.FUSED_MLP);
            for (int epoch = 0; epoch < 2; epoch++) {
                g.trainSteps(order, batch, o.learningRate());
                c.trainSteps(order, batch, o.learningRate());
            }
            double d = Agreement.relativeError(ReferenceMlp.train(net, initial, o, data, order, batch, 2, true),
                    c.parameters());
            double e = Agreement.check(name + " parameters after 2 epochs", c.parameters(), g.parameters(), bound(d));
            System.out.printf("%-60s gpu vs cpu %.1e (tf32 rounding alone %.1e)%n", name, e, d);
        }
    }

    /** The mean loss of outputs (after the output activation) against targets, for MSE and BCE. */
    private static double loss(Network net, double[] outputs, float[] targets) {
        double sum = 0;
        for (int i = 0; i < outputs.length; i++) {
            double a = outputs[i], y = targets[i];
            sum += net.loss() == Loss.BCE ? -(y * Math.log(a) + (1 - y) * Math.log(1 - a)) : (a - y) * (a - y);
        }
        return sum / outputs.length;
    }

    private static double bound(double tf32Rounding) {
        return Math.max(CrossCheckTest.FP32_BOUND, 2 * tf32Rounding);
    }
}
