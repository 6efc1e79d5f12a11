package dev.downhill.cuda;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.testing.BackendContract;

/** The CUDA backend passes every check the reference backend passes. */
@org.junit.jupiter.api.extension.ExtendWith(RequiresGpu.class)
class CudaBackendContractTest extends BackendContract {
    @Override
    protected Backend openBackend() {
        return Gpu.open(BackendOptions.MathMode.FP32);
    }
}
