package dev.downhill.backend;

/**
 * A backend as found by {@link java.util.ServiceLoader} (register the implementation in
 * {@code META-INF/services/dev.downhill.backend.BackendProvider}). Finding a provider is cheap:
 * native libraries load only in {@link #create}.
 */
public interface BackendProvider {

    /** The name users ask for, e.g. {@code cpu}, {@code cuda}. */
    String name();

    /** What it computes on. */
    DeviceKind deviceKind();

    /** Higher is preferred by {@code auto}. */
    int priority();

    /** Whether this backend can run here and, if not, why. Never throws. */
    Availability availability();

    /**
     * The smallest training step, in floating-point operations, for which {@code auto} picks this
     * backend: below it the work is too small to gain from the device (a measured crossover).
     */
    default double minimumStepFlops() {
        return 0;
    }

    /** Opens the backend; the caller closes it. Only called when {@link #availability()} says it can run. */
    Backend create(BackendOptions options);
}
