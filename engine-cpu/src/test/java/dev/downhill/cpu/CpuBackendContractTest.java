package dev.downhill.cpu;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.testing.BackendContract;

class CpuBackendContractTest extends BackendContract {
    @Override
    protected Backend openBackend() {
        return new CpuBackend(BackendOptions.defaults());
    }
}
