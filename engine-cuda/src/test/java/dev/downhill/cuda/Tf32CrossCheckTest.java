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
                c.trainEpoch(first, batch, 0.01f);
                g.trainEpoch(first, batch, 0.01f);
                double dOne = Agreement.relativeError(ReferenceMlp.train(net, initial, sgd, data, first, batch, 1, true),
                        c.parameters());
                double one = Agreement.check("tf32 parameters after 1 step", c.parameters(), g.parameters(), bound(dOne));
                int[] rest = IntStream.range(batch, 50 * batch).toArray();
                c.trainEpoch(rest, batch, 0.01f);
                g.trainEpoch(rest, batch, 0.01f);
                double dFifty = Agreement.relativeError(ReferenceMlp.train(net, initial, sgd, data,
                        IntStream.range(0, 50 * batch).toArray(), batch, 1, true), c.parameters());
                double fifty = Agreement.check("tf32 parameters after 50 steps", c.parameters(), g.parameters(), bound(dFifty));
                System.out.printf("tf32 129-257-10 batch 128, gpu vs cpu (tf32 rounding alone): outputs %.1e (%.1e) "
                        + "grads %.1e (%.1e) step1 %.1e (%.1e) step50 %.1e (%.1e)%n", out, dOut, grad, dGrad, one, dOne,
                        fifty, dFifty);
            }
        }
    }

    private static double bound(double tf32Rounding) {
        return Math.max(CrossCheckTest.FP32_BOUND, 2 * tf32Rounding);
    }
}
