package dev.downhill.cpu;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.Backends;
import dev.downhill.backend.MatrixProductPeak;
import dev.downhill.backend.StepTracing;
import dev.downhill.backend.DeviceKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The CPU backend is found by name and says what it computes on, so that callers need not compare names. */
class CpuBackendProviderTest {
    @Test
    void theCpuBackendSaysItRunsOnTheHostsCores() {
        assertEquals(DeviceKind.CPU, Backends.deviceKind("cpu"));
        assertEquals(DeviceKind.CPU, new CpuBackendProvider().deviceKind());
        assertEquals("unknown backend 'tpu' (known: auto, cpu)",
                assertThrows(InputException.class, () -> Backends.deviceKind("tpu")).getMessage());
    }

    /** What a backend can do beyond training it declares as capabilities; the explainer and the benchmark ask for them. */
    @Test
    void theCpuBackendDeclaresItsCapabilities() {
        try (Backend cpu = Backends.open("cpu", dev.downhill.backend.BackendOptions.defaults(), s -> { })) {
            assertTrue(cpu.capability(StepTracing.class).isPresent(), "step tracing, for downhill explain");
            assertTrue(cpu.capability(MatrixProductPeak.class).isPresent(), "its product's peak, for downhill bench");
            assertTrue(cpu.capability(Runnable.class).isEmpty(), "nothing it is not");
        }
    }
}
