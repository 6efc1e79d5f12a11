package dev.downhill.backend;

/**
 * A backend's capability ({@link Backend#capability}) to measure its own matrix-product speed: the
 * yardstick a benchmark reads a workload's share of peak against.
 */
public interface MatrixProductPeak {
    /** FLOP/s of a product large enough to reach the peak (a few seconds at most). */
    double measureMatrixProductFlops();
}
