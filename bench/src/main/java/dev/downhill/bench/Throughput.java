package dev.downhill.bench;

/**
 * The training throughput of one backend on one workload.
 *
 * @param backend          backend name
 * @param device           the device in words
 * @param workload         workload name
 * @param shape            its layer widths
 * @param math             fp32 or tf32
 * @param batch            rows per step
 * @param samplesPerSecond training rows per second over whole steps (forward, loss, backward, update)
 * @param stepSeconds      seconds per step
 * @param flopsPerSecond   6·Σ in·out per sample × samples/s
 * @param peakShare        flopsPerSecond over the backend's measured matrix-product peak
 */
public record Throughput(String backend, String device, String workload, String shape, String math, int batch,
                          double samplesPerSecond, double stepSeconds, double flopsPerSecond, double peakShare) {}
