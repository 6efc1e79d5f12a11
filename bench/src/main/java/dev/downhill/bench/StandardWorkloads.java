package dev.downhill.bench;

import dev.downhill.backend.DeviceKind;
import dev.downhill.workload.Workload;

/**
 * The standard workloads as each backend runs them. On the CPU the two big ones are cut down
 * as the peer figures in WORKLOADS.md were measured: tcnn at batch 16384, wide as 1024 wide ×
 * 4 layers at batch 1024; everything else is as defined.
 */
public final class StandardWorkloads {
    private StandardWorkloads() {}

    public static Workload forDevice(Workload w, DeviceKind kind) {
        if (kind != DeviceKind.CPU) return w;
        return switch (w.name()) {
            case "tcnn" -> w.withBatch(16384);
            case "wide" -> w.withWidths(1024, 1024, 1024, 1024, 1024).withBatch(1024);
            default -> w;
        };
    }
}
