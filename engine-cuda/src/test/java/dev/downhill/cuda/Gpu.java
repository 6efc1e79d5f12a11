package dev.downhill.cuda;

import dev.downhill.backend.Availability;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import org.junit.jupiter.api.Assumptions;

/** Opens the CUDA backend for a test, or skips the test (with the reason) where no GPU can run. */
final class Gpu {
    private Gpu() {}

    static Backend open(BackendOptions.MathMode math) {
        Availability a = new CudaBackendProvider().availability();
        Assumptions.assumeTrue(a.available(), "no GPU here: " + a.detail());
        return new CudaBackendProvider().create(new BackendOptions(math));
    }
}
