package dev.downhill.cpu;

import dev.downhill.backend.Availability;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.BackendProvider;
import dev.downhill.backend.DeviceKind;

/** The reference backend: always available. */
public final class CpuBackendProvider implements BackendProvider {
    @Override public String name() { return Backends.REFERENCE; }

    @Override public DeviceKind deviceKind() { return DeviceKind.CPU; }

    @Override public int priority() { return 0; }

    @Override public Availability availability() {
        return Availability.available(CpuBackend.describeDevice());
    }

    @Override public Backend create(BackendOptions options) {
        return new CpuBackend(options);
    }
}
