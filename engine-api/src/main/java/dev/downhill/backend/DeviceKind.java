package dev.downhill.backend;

/**
 * What a backend computes on, for the code that sizes work or reads results by it (a benchmark's
 * epoch, the math modes worth measuring, whether the processor's FMA peak is the yardstick): so
 * that a new backend says what it is instead of being taken for a GPU because it is not "cpu".
 */
public enum DeviceKind {
    /** The host's own cores: float32 only, work sized for seconds of a few cores. */
    CPU,
    /** An accelerator with its own memory: TF32 besides float32, work sized for a device many times faster. */
    GPU
}
