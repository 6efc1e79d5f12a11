package dev.downhill.cpu;

import dev.downhill.InputException;
import dev.downhill.backend.Backends;
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
}
