package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Which networks and batches mlp64_step takes, and that its kernels and shared memory fit. */
class Mlp64PlanTest {
    /** Hopper's largest dynamic shared memory per block (an A100 allows 163 KiB). */
    private static final int MAX_SHARED_BYTES = 227 * 1024;

    @Test
    void theTcnnWorkloadTakesItAndItsSharedMemoryFits() {
        Network tcnn = Network.builder(64).dense(64, Activation.RELU).dense(64, Activation.RELU).dense(64, Activation.RELU)
                .dense(64, Activation.RELU).dense(16, Activation.IDENTITY).build();
        Mlp64Plan plan = Mlp64Plan.of(tcnn, 1 << 18);
        assertEquals("mlp64_step_pwl_4", plan.kernel());
        assertArrayEquals(new int[] {64, 16, 3, 0, KernelCodes.MSE}, plan.netStruct());
        assertTrue(plan.sharedBytes() <= MAX_SHARED_BYTES, plan.sharedBytes() + " bytes");
        assertEquals(132, plan.blocks(132, 1 << 18));
        assertEquals(1, plan.blocks(132, 64), "one block per tile of 64 rows");
        assertEquals(2, plan.blocks(132, 65));
    }

    @Test
    void inTf32TheTensorCoreKernelTakesTheSameNetworks() {
        Mlp64Plan plan = Mlp64Plan.of(hidden(4, Activation.RELU), 1 << 18, true);
        assertEquals("mlp64_tf32_step_pwl_4", plan.kernel(), "ReLU's derivative survives rounding its value");
        assertEquals("mlp64_tf32_step_pwl_2", Mlp64Plan.of(hidden(2, Activation.LEAKY_RELU), 4096, true).kernel());
        assertEquals("mlp64_tf32_step_3", Mlp64Plan.of(hidden(3, Activation.SIGMOID), 4096, true).kernel());
        assertEquals("mlp64_step_3", Mlp64Plan.of(hidden(3, Activation.SIGMOID), 4096, false).kernel());
        assertEquals("mlp64_tf32_step", plan.module());
        assertEquals(Mlp64Plan.of(hidden(4, Activation.RELU), 1 << 18).netStruct()[2], plan.netStruct()[2]);
        assertEquals(132, plan.blocks(132, 1 << 18));
        assertNull(Mlp64Plan.of(hidden(2, Activation.RELU), Mlp64Plan.MIN_BATCH - 1, true), "the same networks and batches");
    }

    @Test
    void fourHiddenLayersNeedHoppersSharedMemoryThreeFitAnA100() {
        int hopper = 227 * 1024, a100 = 163 * 1024;
        Mlp64Plan four = Mlp64Plan.of(hidden(4, Activation.RELU), 4096), three = Mlp64Plan.of(hidden(3, Activation.RELU), 4096);
        assertTrue(four.fits(hopper));
        assertFalse(four.fits(a100), four.sharedBytes() + " bytes: such a device takes the general path");
        assertTrue(three.fits(a100), three.sharedBytes() + " bytes");
    }

    @Test
    void everyLayerCountHasItsKernelInBothMathModes() throws IOException {
        for (boolean tensorCores : new boolean[] {false, true}) {
            String resource = "/dev/downhill/kernels/" + (tensorCores ? "mlp64_tf32_step" : "mlp64_step") + ".ptx";
            try (InputStream in = Kernels.class.getResourceAsStream(resource)) {
                String ptx = new String(in.readAllBytes());
                for (int nh = 1; nh <= Mlp64Plan.MAX_HIDDEN_LAYERS; nh++) {
                    for (Activation act : new Activation[] {Activation.TANH, Activation.RELU}) {
                        Mlp64Plan plan = Mlp64Plan.of(hidden(nh, act), 1024, tensorCores);
                        assertTrue(ptx.contains(".entry " + plan.kernel() + "("), plan.kernel() + " in " + resource);
                        assertTrue(plan.sharedBytes() <= MAX_SHARED_BYTES, plan.kernel() + ": " + plan.sharedBytes() + " bytes");
                    }
                }
            }
        }
    }

    @Test
    void otherNetworksAndSmallBatchesDoNot() {
        assertNull(Mlp64Plan.of(hidden(2, Activation.RELU), Mlp64Plan.MIN_BATCH - 1), "small batch");
        assertNull(Mlp64Plan.of(hidden(5, Activation.RELU), 4096), "five hidden layers");
        assertNull(Mlp64Plan.of(Network.builder(65).dense(64, Activation.RELU).dense(1, Activation.IDENTITY).build(), 4096),
                "65 inputs");
        assertNull(Mlp64Plan.of(Network.builder(8).dense(64, Activation.RELU).dense(17, Activation.IDENTITY).build(), 4096),
                "17 outputs");
        assertNull(Mlp64Plan.of(Network.builder(8).dense(32, Activation.RELU).dense(1, Activation.IDENTITY).build(), 4096),
                "32 wide");
        assertNull(Mlp64Plan.of(Network.builder(8).dense(64, Activation.RELU).dense(64, Activation.TANH)
                .dense(1, Activation.IDENTITY).build(), 4096), "mixed hidden activations");
        assertNull(Mlp64Plan.of(Network.builder(8).dense(64, Activation.RELU).dense(4, Activation.SOFTMAX)
                .loss(Loss.CROSS_ENTROPY).build(), 4096), "cross-entropy");
    }

    private static Network hidden(int layers, Activation act) {
        Network.Builder b = Network.builder(10);
        for (int l = 0; l < layers; l++) b.dense(64, act);
        return b.dense(2, Activation.IDENTITY).build();
    }
}
