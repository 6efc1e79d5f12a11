package dev.downhill.cuda;

import dev.downhill.backend.Availability;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Runs everywhere: with a GPU the device is described, without one the reason is given. */
class AvailabilityTest {
    @Test
    void availabilityNeverThrowsAndExplainsItself() {
        Availability a = new CudaBackendProvider().availability();
        assertFalse(a.detail().isBlank());
        if (a.available()) {
            assertTrue(a.detail().matches(".*compute \\d+\\.\\d+, \\d+ GiB, driver CUDA \\d+\\.\\d+, libcublas\\.so\\.1[23]"),
                    a.detail());
        } else if (!new java.io.File("/dev/nvidiactl").exists()) {
            assertTrue(a.detail().contains("libcuda.so.1") || a.detail().contains("no CUDA device"), a.detail());
        }
    }
}
