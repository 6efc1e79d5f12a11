package dev.downhill.cuda;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

@org.junit.jupiter.api.extension.ExtendWith(RequiresGpu.class)
class DeviceMemoryTest {
    @Test
    void closingAHundredTrainedModelsGivesTheirMemoryBack() {
        try (CudaBackend backend = (CudaBackend) Gpu.open(BackendOptions.MathMode.FP32)) {
            Network net = Network.builder(64).dense(256, Activation.RELU).dense(8, Activation.IDENTITY).seed(1).build();
            DataSet data = TestData.randomFor(net, 4096, 2);
            // the first model also loads the kernels' and cuBLAS's code onto the device (CUDA loads
            // modules lazily): that memory belongs to the backend, not to any model
            trainAndClose(backend, net, data);
            long before = backend.ctx.memoryInfo()[0];
            for (int i = 0; i < 100; i++) trainAndClose(backend, net, data);
            long after = backend.ctx.memoryInfo()[0];
            System.out.printf("free device memory before %d MiB, after 100 models %d MiB%n", before >> 20, after >> 20);
            assertEquals(before, after, "free device memory returns to where it was");
        }
    }

    private static void trainAndClose(CudaBackend backend, Network net, DataSet data) {
        try (TrainableModel m = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(1e-3f), data)) {
            m.trainSteps(java.util.stream.IntStream.range(0, 4096).toArray(), 128, 1e-3f);
            m.evaluate(data);
        }
    }

    @Test
    void runningOutOfDeviceMemorySaysHowMuchWasAskedAndIsFree() {
        try (CudaBackend backend = (CudaBackend) Gpu.open(BackendOptions.MathMode.FP32)) {
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                    () -> DeviceBuffer.allocate(backend.ctx, 1L << 40, "a test buffer"));
            assertTrue(e.getMessage().matches("out of device memory: a test buffer needs 4194304 MiB, \\d+ MiB of \\d+ MiB are free"),
                    e.getMessage());
        }
    }
}
