package dev.downhill.backend;

import dev.downhill.InputException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Finds backends and picks one. The choice is, in order: the name passed in, the system
 * property {@value #PROPERTY}, the environment variable {@value #ENVIRONMENT}, else {@code auto}.
 * {@code auto} takes the preferred backend that can run and logs why each one before it was
 * skipped; a named backend that cannot run is an error with its reason, never a fallback.
 */
public final class Backends {
    public static final String PROPERTY = "downhill.backend";
    public static final String ENVIRONMENT = "DOWNHILL_BACKEND";
    public static final String AUTO = "auto";
    /** The reference backend's name: the CPU backend every other is checked against, and measured against. */
    public static final String REFERENCE = "cpu";

    private Backends() {}

    /** Every provider on the class path, preferred first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(all::add);
        all.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return all;
    }

    /** The name asked for: {@code requested} if given, else the property, else the environment, else auto. */
    public static String requestedName(String requested) {
        if (requested != null && !requested.isBlank()) return requested.trim().toLowerCase(Locale.ROOT);
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) return property.trim().toLowerCase(Locale.ROOT);
        String env = System.getenv(ENVIRONMENT);
        if (env != null && !env.isBlank()) return env.trim().toLowerCase(Locale.ROOT);
        return AUTO;
    }

    /** Picks a provider from {@code providers} by name (or auto), logging the choice to {@code log}. */
    public static BackendProvider select(String requested, List<BackendProvider> providers, Consumer<String> log) {
        return select(requested, providers, log, Double.POSITIVE_INFINITY);
    }

    /**
     * As {@link #select(String, List, Consumer)}; {@code auto} also skips a backend whose
     * {@link BackendProvider#minimumStepFlops()} is above {@code stepFlops}, the work of one
     * training step of the network at hand, and says so.
     */
    public static BackendProvider select(String requested, List<BackendProvider> providers, Consumer<String> log,
                                         double stepFlops) {
        String name = requestedName(requested);
        if (name.equals(AUTO)) {
            for (BackendProvider p : providers) {
                if (stepFlops < p.minimumStepFlops() && p.availability().available()) {
                    log.accept(String.format(java.util.Locale.ROOT, "backend %s skipped: a step of this network is %.3g FLOP, "
                            + "below the %.3g where %s overtakes the CPU (ask for %s by name to use it anyway)", p.name(), stepFlops,
                            p.minimumStepFlops(), p.name(), p.name()));
                    continue;
                }
                Availability a = p.availability();
                if (a.available()) {
                    log.accept("backend " + p.name() + " (auto): " + a.detail());
                    return p;
                }
                log.accept("backend " + p.name() + " skipped: " + a.detail());
            }
            throw new InputException("no backend can run here");
        }
        for (BackendProvider p : providers) {
            if (p.name().equals(name)) {
                Availability a = p.availability();
                if (!a.available()) throw new InputException("backend " + name + " cannot run here: " + a.detail());
                log.accept("backend " + p.name() + ": " + a.detail());
                return p;
            }
        }
        throw unknown(name, providers);
    }

    /** What the backend named {@code name} computes on, whether or not it can run here. */
    public static DeviceKind deviceKind(String name) {
        List<BackendProvider> all = providers();
        return all.stream().filter(p -> p.name().equals(name)).findFirst().map(BackendProvider::deviceKind)
                .orElseThrow(() -> unknown(name, all));
    }

    private static InputException unknown(String name, List<BackendProvider> providers) {
        return new InputException("unknown backend '" + name + "' (known: " + AUTO + ", "
                + String.join(", ", providers.stream().map(BackendProvider::name).toList()) + ")");
    }

    /** Selects among the providers on the class path and opens the chosen backend. */
    public static Backend open(String requested, BackendOptions options, Consumer<String> log) {
        return select(requested, providers(), log).create(options);
    }

    /** As {@link #open(String, BackendOptions, Consumer)}, for training steps of {@code stepFlops} each. */
    public static Backend open(String requested, BackendOptions options, Consumer<String> log, double stepFlops) {
        return select(requested, providers(), log, stepFlops).create(options);
    }
}
