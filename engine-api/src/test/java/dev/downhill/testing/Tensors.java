package dev.downhill.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Element-wise comparison {@code |a − ref| ≤ atol + rtol·|ref|} that reports the worst element. */
public final class Tensors {
    private Tensors() {}

    public static void assertClose(String name, double[] ref, float[] actual, double atol, double rtol) {
        double[] a = new double[actual.length];
        for (int i = 0; i < a.length; i++) a[i] = actual[i];
        assertClose(name, ref, a, atol, rtol);
    }

    public static void assertClose(String name, double[] ref, double[] actual, double atol, double rtol) {
        if (ref.length != actual.length) fail(name + ": length " + actual.length + ", expected " + ref.length);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < ref.length; i++) {
            double excess = Math.abs(actual[i] - ref[i]) - (atol + rtol * Math.abs(ref[i]));
            if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(name + ": worst element [" + worst + "] is " + actual[worst] + ", expected " + ref[worst]
                    + " (|diff| " + Math.abs(actual[worst] - ref[worst]) + " > atol " + atol + " + rtol " + rtol
                    + "·|ref|)");
        }
    }
}
