package dev.downhill.cpu;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.testing.BackendContract;

/** The whole backend contract with every product on the fast (Vector API) path, however small. */
class CpuFastPathContractTest extends BackendContract {
    @Override
    protected Backend openBackend() {
        return new CpuBackend(BackendOptions.defaults(), MatrixProducts.Path.FAST);
    }
}
