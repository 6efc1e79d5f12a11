package dev.downhill.backend;

/**
 * Settings that a backend reads when it is created.
 *
 * @param math   the arithmetic of matrix products; results made with {@link MathMode#TF32} say so
 * @param device which of the machine's devices a GPU backend trains on (CUDA's ordinal, as Spark
 *               assigns a task its GPU); the CPU backend has one
 */
public record BackendOptions(MathMode math, int device) implements java.io.Serializable {
    public BackendOptions {
        if (device < 0) throw new IllegalArgumentException("a device ordinal is 0 or more, got " + device);
    }

    /** On device 0. */
    public BackendOptions(MathMode math) {
        this(math, 0);
    }

    public static BackendOptions defaults() {
        return new BackendOptions(MathMode.FP32);
    }

    /** These options, on device {@code ordinal}. */
    public BackendOptions onDevice(int ordinal) {
        return new BackendOptions(math, ordinal);
    }

    /** Matrix-product arithmetic: strict float32, or TF32 tensor cores where the device has them. */
    public enum MathMode {
        FP32, TF32;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
