package dev.downhill.cpu;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.GradientClipping;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** A clipped step is torch.nn.utils.clip_grad_norm_ then the optimiser: g · maxNorm / (‖g‖ + 1e-6) when that is below g. */
class GradientClippingTest {
    private final CpuBackend cpu = new CpuBackend(BackendOptions.defaults());
    private final Network net = Network.builder(3).dense(5, Activation.TANH).dense(2, Activation.IDENTITY).seed(6).build();
    private final DataSet data = TestData.randomFor(net, 8, 3);
    private final int[] rows = IntStream.range(0, 8).toArray();

    @Test
    void aStepWhoseGradientIsLongerThanTheLimitMovesByTheScaledGradient() {
        float[] p = net.initialParameters(), g;
        try (TrainableModel m = cpu.load(net, p, Optimizer.Sgd.plain(0.1f), data)) {
            g = m.gradients(rows).gradients();
        }
        double norm = Math.sqrt(IntStream.range(0, g.length).mapToDouble(i -> (double) g[i] * g[i]).sum());
        double limit = norm / 4;
        GradientClipping clipping = cpu.capability(GradientClipping.class).orElseThrow();
        try (TrainableModel m = clipping.load(net, p, Optimizer.Sgd.plain(0.1f), data, limit)) {
            m.trainSteps(rows, 8, 0.1f);
            float[] after = m.parameters();
            float factor = (float) (limit / (norm + 1e-6));
            for (int i = 0; i < p.length; i++) {
                assertEquals(p[i] - 0.1f * (g[i] * factor), after[i], 1e-6 * (1 + Math.abs(after[i])), "parameter " + i);
            }
        }
        try (TrainableModel m = clipping.load(net, p, Optimizer.Sgd.plain(0.1f), data, limit)) {
            assertArrayEquals(g, m.gradients(rows).gradients(), "gradients() gives the gradient before clipping");
        }
    }

    @Test
    void aLimitAboveTheNormChangesNothing() {
        float[] p = net.initialParameters(), plain, clipped;
        try (TrainableModel m = cpu.load(net, p, Optimizer.Adam.defaults(0.01f), data)) {
            m.trainSteps(rows, 4, 0.01f);
            plain = m.parameters();
        }
        try (TrainableModel m = cpu.load(net, p, Optimizer.Adam.defaults(0.01f), data, 1e6)) {
            m.trainSteps(rows, 4, 0.01f);
            clipped = m.parameters();
        }
        assertArrayEquals(plain, clipped, "bit for bit");
    }
}
