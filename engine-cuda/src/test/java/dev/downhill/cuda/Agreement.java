package dev.downhill.cuda;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares a tensor from the CUDA backend with the CPU reference. The relative error of a
 * tensor is max|gpu − cpu| / max|cpu|: element-wise ratios are meaningless for the elements
 * that are near zero, which every gradient has.
 */
final class Agreement {
    private Agreement() {}

    static double relativeError(float[] reference, float[] actual) {
        double[] r = new double[reference.length];
        for (int i = 0; i < r.length; i++) r[i] = reference[i];
        return relativeError(r, actual);
    }

    static double relativeError(double[] reference, float[] actual) {
        if (reference.length != actual.length) throw new AssertionError("lengths " + reference.length + " and " + actual.length);
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = Math.abs((double) actual[i] - reference[i]);
            if (!(d <= maxDiff)) maxDiff = d;            // NaN counts as the worst
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return maxDiff / Math.max(scale, 1e-30);
    }

    static double check(String name, float[] reference, float[] actual, double bound) {
        double error = relativeError(reference, actual);
        if (!(error <= bound)) {
            int worst = 0;
            for (int i = 0; i < reference.length; i++) {
                if (!(Math.abs(actual[i] - reference[i]) <= Math.abs(actual[worst] - reference[worst]))) worst = i;
            }
            fail(name + ": relative error " + error + " > " + bound + "; worst element [" + worst + "] gpu "
                    + actual[worst] + ", cpu " + reference[worst]);
        }
        return error;
    }
}
