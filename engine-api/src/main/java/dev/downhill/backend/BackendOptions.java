package dev.downhill.backend;

/**
 * Settings that a backend reads when it is created.
 *
 * @param math the arithmetic of matrix products; results made with {@link MathMode#TF32} say so
 */
public record BackendOptions(MathMode math) {
    public static BackendOptions defaults() {
        return new BackendOptions(MathMode.FP32);
    }

    /** Matrix-product arithmetic: strict float32, or TF32 tensor cores where the device has them. */
    public enum MathMode {
        FP32, TF32;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
