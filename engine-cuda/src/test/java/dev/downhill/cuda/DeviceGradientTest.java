package dev.downhill.cuda;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.DeviceCollectives;
import dev.downhill.backend.DeviceGradient;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.parallel.Collective;
import dev.downhill.parallel.DataParallelTrainer;
import dev.downhill.testing.TestData;
import dev.downhill.train.TrainingConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** The data-parallel step with the gradient left on the GPU, against the host path it replaces. */
@org.junit.jupiter.api.extension.ExtendWith(RequiresGpu.class)
class DeviceGradientTest {
    private final Network net = Network.builder(9).dense(33, Activation.TANH).dense(17, Activation.RELU).dense(4, Activation.SOFTMAX)
            .loss(Loss.CROSS_ENTROPY).seed(2).build();
    private final DataSet data = TestData.randomFor(net, 96, 5);
    private final Regularization regularization = Regularization.NONE.withDropout(0.25, 4).withClipNorm(0.5);

    /** computeGradient then applyGradient, with nothing between them, is trainSteps' step bit for bit; no rows is no move. */
    @Test
    void aStepOnTheDeviceIsTrainStepsStep() {
        int[] rows = IntStream.range(0, 32).toArray();
        try (CudaBackend backend = (CudaBackend) Gpu.open(BackendOptions.MathMode.FP32);
             TrainableModel split = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization);
             TrainableModel whole = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization)) {
            DeviceGradient device = split.capability(DeviceGradient.class).orElseThrow();
            for (int step = 0; step < 3; step++) {
                device.computeGradient(rows, 0, 1f);
                float loss = device.applyGradient(0.01f);
                float expected = (float) whole.trainSteps(rows, 32, 0.01f).meanLoss();
                assertEquals(expected, loss, "step " + step + ": the loss beside the gradient");
                assertArrayEquals(whole.parameters(), split.parameters(), "step " + step);
            }
            float[] before = split.parameters();
            try (TrainableModel sgd = backend.load(net, before, Optimizer.Sgd.plain(0.1f), data)) {
                DeviceGradient none = sgd.capability(DeviceGradient.class).orElseThrow();
                none.computeGradient(new int[0], 0, 0f);
                assertEquals(0f, none.applyGradient(0.1f));
                assertArrayEquals(before, sgd.parameters(), "a rank without rows in a step adds nothing");
            }
        }
    }

    /** At world size 1, NCCL's all-reduce leaves the buffer as it is: the device path is the host path, bit for bit. */
    @Test
    void theNcclPathIsTheHostPathBitForBit() {
        TrainingConfig config = TrainingConfig.of(3, 16).shuffled(6);
        try (CudaBackend backend = (CudaBackend) Gpu.open(BackendOptions.MathMode.FP32)) {
            DeviceCollectives devices = backend.capability(DeviceCollectives.class).orElse(null);
            Assumptions.assumeTrue(devices != null, "NCCL not found: set DOWNHILL_NCCL to a libnccl.so.2");
            float[] host, device;
            try (TrainableModel m = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization)) {
                host = new DataParallelTrainer(config, Collective.single()).train(m, new int[] {96}).parameters();
            }
            try (TrainableModel m = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization);
                 Collective nccl = devices.join(devices.newCollective(), 1, 0)) {
                assertTrue(nccl.sumsDeviceBuffers());
                device = new DataParallelTrainer(config, nccl).train(m, new int[] {96}).parameters();
            }
            assertArrayEquals(host, device);
        }
    }
}
