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
import dev.downhill.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.IntStream;

/**
 * TF32 tensor-core products against the float32 CPU reference. TF32 keeps 10 mantissa bits:
 * each operand is rounded by up to 2⁻¹¹ ≈ 4.9e-4 of itself, so a product's relative error is
 * about 1e-3 before the sums average part of it away. The stated bound is 5e-3 for outputs,
 * loss, gradients and one step, and 1e-2 after 50 steps (5× and 10× the per-product error).
 */
@ExtendWith(RequiresGpu.class)
class Tf32CrossCheckTest {
    static final double BOUND = 5e-3, BOUND_50_STEPS = 1e-2;

    @Test
    void tf32AgreesWithTheFloat32ReferenceWithinItsStatedBound() {
        try (Backend gpu = Gpu.open(BackendOptions.MathMode.TF32);
             Backend cpu = new CpuBackendProvider().create(BackendOptions.defaults())) {
            Network net = Network.builder(257).dense(513, Activation.RELU).dense(257, Activation.RELU)
                    .dense(10, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY).seed(5).build();
            int batch = 128;
            DataSet data = TestData.randomFor(net, 50 * batch, 8);
            Optimizer sgd = new Optimizer.Sgd(0.01f, 0.9f, false, 0);
            try (TrainableModel c = cpu.load(net, net.initialParameters(), sgd, data);
                 TrainableModel g = gpu.load(net, net.initialParameters(), sgd, data)) {
                int[] first = IntStream.range(0, batch).toArray();
                BatchGradients rc = c.gradients(first), rg = g.gradients(first);
                double out = Agreement.check("tf32 outputs", rc.outputs(), rg.outputs(), BOUND);
                double loss = Agreement.check("tf32 loss", new float[] {rc.loss()}, new float[] {rg.loss()}, BOUND);
                double grad = Agreement.check("tf32 gradients", rc.gradients(), rg.gradients(), BOUND);
                c.trainEpoch(first, batch, 0.01f);
                g.trainEpoch(first, batch, 0.01f);
                double one = Agreement.check("tf32 parameters after 1 step", c.parameters(), g.parameters(), BOUND);
                int[] rest = IntStream.range(batch, 50 * batch).toArray();
                c.trainEpoch(rest, batch, 0.01f);
                g.trainEpoch(rest, batch, 0.01f);
                double fifty = Agreement.check("tf32 parameters after 50 steps", c.parameters(), g.parameters(),
                        BOUND_50_STEPS);
                System.out.printf("tf32 257-513-257-10 batch 128: outputs %.1e loss %.1e grads %.1e step1 %.1e step50 %.1e%n",
                        out, loss, grad, one, fifty);
            }
        }
    }
}
