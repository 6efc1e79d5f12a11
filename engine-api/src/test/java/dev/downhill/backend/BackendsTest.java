package dev.downhill.backend;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BackendsTest {
    private record Fake(String name, int priority, Availability availability) implements BackendProvider {
        @Override public DeviceKind deviceKind() { return name.equals("cpu") ? DeviceKind.CPU : DeviceKind.GPU; }
        @Override public Backend create(BackendOptions options) { throw new UnsupportedOperationException(); }
    }

    private final Fake gpu = new Fake("cuda", 10, Availability.unavailable("libcuda.so.1 not found"));
    private final Fake cpu = new Fake("cpu", 0, Availability.available("2 cores"));

    @Test
    void autoTakesThePreferredBackendThatCanRunAndSaysWhyOthersWereSkipped() {
        List<String> log = new ArrayList<>();
        assertSame(cpu, Backends.select("auto", List.of(gpu, cpu), log::add));
        assertEquals(List.of("backend cuda skipped: libcuda.so.1 not found", "backend cpu (auto): 2 cores"), log);
        Fake goodGpu = new Fake("cuda", 10, Availability.available("H100"));
        assertSame(goodGpu, Backends.select(null, List.of(goodGpu, cpu), s -> { }));
    }

    @Test
    void aNamedBackendThatCannotRunIsAnErrorNotAFallback() {
        assertEquals("backend cuda cannot run here: libcuda.so.1 not found",
                assertThrows(InputException.class, () -> Backends.select("cuda", List.of(gpu, cpu), s -> { })).getMessage());
        assertEquals("unknown backend 'tpu' (known: auto, cuda, cpu)",
                assertThrows(InputException.class, () -> Backends.select("TPU", List.of(gpu, cpu), s -> { })).getMessage());
        assertEquals("no backend can run here",
                assertThrows(InputException.class, () -> Backends.select("auto", List.of(gpu), s -> { })).getMessage());
    }

    @Test
    void autoLeavesAGpuAloneForANetworkTooSmallToGainFromItButANameWins() {
        BackendProvider gpu = new BackendProvider() {
            @Override public String name() { return "cuda"; }
            @Override public DeviceKind deviceKind() { return DeviceKind.GPU; }
            @Override public int priority() { return 10; }
            @Override public Availability availability() { return Availability.available("H100"); }
            @Override public double minimumStepFlops() { return 1e6; }
            @Override public Backend create(BackendOptions options) { throw new UnsupportedOperationException(); }
        };
        List<String> log = new ArrayList<>();
        assertSame(cpu, Backends.select("auto", List.of(gpu, cpu), log::add, 54));
        assertEquals("backend cuda skipped: a step of this network is 54.0 FLOP, below the 1.00e+06 where cuda overtakes "
                + "the CPU (ask for cuda by name to use it anyway)", log.getFirst());
        assertSame(gpu, Backends.select("auto", List.of(gpu, cpu), s -> { }, 1e7));
        assertSame(gpu, Backends.select("cuda", List.of(gpu, cpu), s -> { }, 54));
    }

    @Test
    void theSystemPropertyChoosesWhenNoNameIsGiven() {
        System.setProperty(Backends.PROPERTY, "cuda");
        try {
            assertEquals("cuda", Backends.requestedName(null));
            assertEquals("cpu", Backends.requestedName("cpu"), "an explicit name wins");
            assertThrows(InputException.class, () -> Backends.select(null, List.of(gpu, cpu), s -> { }));
        } finally {
            System.clearProperty(Backends.PROPERTY);
        }
    }
}
