package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Which networks the register kernel takes, and that the kernels jar has a kernel for each. */
class TinyNetPlanTest {
    @Test
    void everyShapeThePlanAcceptsHasItsKernel() throws IOException {
        int shapes = 0;
        for (int in = 1; in <= TinyNetPlan.MAX_INPUTS; in++) {
            for (int hidden = 1; hidden <= TinyNetPlan.MAX_HIDDEN; hidden++) {
                for (int out = 1; out <= TinyNetPlan.MAX_OUTPUTS; out++) {
                    TinyNetPlan plan = TinyNetPlan.of(net(in, hidden, out), 1);
                    assertNotNull(plan, in + "-" + hidden + "-" + out);
                    try (InputStream ptx = Kernels.class.getResourceAsStream("/dev/downhill/kernels/" + plan.resource() + ".ptx")) {
                        assertNotNull(ptx, plan.resource() + ".ptx is in the kernels jar");
                        assertTrue(new String(ptx.readAllBytes()).contains(".entry " + plan.kernel() + "("), plan.kernel());
                    }
                    shapes++;
                }
            }
        }
        assertEquals(32, shapes);
    }

    @Test
    void theSeedNetworkRowByRowTakesIt() {
        Network seed = Network.builder(2).dense(2, Activation.SIGMOID).dense(1, Activation.IDENTITY).build();
        TinyNetPlan plan = TinyNetPlan.of(seed, 1);
        assertEquals("tiny_net_epoch_2_2_1", plan.kernel());
        assertArrayEquals(new int[] {1, 0, KernelCodes.MSE}, plan.netStruct());
    }

    @Test
    void batchesDeeperWiderNetworksAndOtherShapesDoNot() {
        assertNull(TinyNetPlan.of(net(2, 2, 1), 2), "batch 2");
        assertNull(TinyNetPlan.of(net(5, 2, 1), 1), "5 inputs");
        assertNull(TinyNetPlan.of(net(2, 5, 1), 1), "5 hidden");
        assertNull(TinyNetPlan.of(net(2, 2, 3), 1), "3 outputs");
        Network deep = Network.builder(2).dense(2, Activation.RELU).dense(2, Activation.RELU).dense(1, Activation.IDENTITY).build();
        assertNull(TinyNetPlan.of(deep, 1), "two hidden layers");
        Network linear = Network.builder(2).dense(1, Activation.IDENTITY).build();
        assertNull(TinyNetPlan.of(linear, 1), "no hidden layer");
    }

    @Test
    void softmaxCrossEntropyTravelsAsItsCodes() {
        Network ce = Network.builder(3).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY).build();
        assertArrayEquals(new int[] {2, 5, KernelCodes.CROSS_ENTROPY}, TinyNetPlan.of(ce, 1).netStruct());
    }

    private static Network net(int in, int hidden, int out) {
        return Network.builder(in).dense(hidden, Activation.SIGMOID).dense(out, Activation.IDENTITY).build();
    }
}
