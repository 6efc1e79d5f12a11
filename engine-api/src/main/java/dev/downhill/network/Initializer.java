package dev.downhill.network;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How the weights and biases of a dense layer start. All draw from one seeded generator,
 * layer by layer, weights before biases, so the same seed gives the same parameters.
 */
public enum Initializer {
    /** As {@code nn.Linear}: {@code W, b ~ U(±1/√in)}. */
    PYTORCH,
    /** Xavier/Glorot uniform: {@code W ~ U(±√(6/(in+out)))}, {@code b = 0}. */
    XAVIER,
    /** He/Kaiming uniform for ReLU: {@code W ~ U(±√(6/in))}, {@code b = 0}. */
    HE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Initializer parse(String text) {
        for (Initializer i : values()) {
            if (i.id().equalsIgnoreCase(text)) return i;
        }
        throw new dev.downhill.InputException("unknown initialiser '" + text + "' (expected pytorch, xavier or he)");
    }

    /** Fills one layer's weights {@code w[out·in]} and biases {@code b[out]}. */
    void fill(float[] w, float[] b, int in, int out, RandomGenerator random) {
        double weightBound = switch (this) {
            case PYTORCH -> 1.0 / Math.sqrt(in);
            case XAVIER -> Math.sqrt(6.0 / (in + out));
            case HE -> Math.sqrt(6.0 / in);
        };
        double biasBound = this == PYTORCH ? 1.0 / Math.sqrt(in) : 0.0;
        for (int i = 0; i < w.length; i++) w[i] = (float) uniform(random, weightBound);
        for (int i = 0; i < b.length; i++) b[i] = (float) uniform(random, biasBound);
    }

    private static double uniform(RandomGenerator random, double bound) {
        return bound == 0 ? 0 : (2 * random.nextDouble() - 1) * bound;
    }
}
