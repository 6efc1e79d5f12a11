package dev.downhill.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The processor's single-precision arithmetic limit, measured: every core runs sixteen
 * independent chains of vector fused multiply-adds (enough to cover the latency of two FMA pipes
 * with 512-bit or 256-bit vectors) for a fixed count, all at once; the best of three rounds counts.
 * Products are judged against it: what share of it they reach.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Fused multiply-adds per chain per round: about 0.2 s on a 3.5 GHz core. */
    private static final long ROUND = 40_000_000L;

    private FmaPeak() {}

    /** Floating-point operations per second (an FMA counts two) over all cores. */
    public static double measure() {
        int cores = Runtime.getRuntime().availableProcessors();
        chains(ROUND / 20, 1f);                                           // compile before timing
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            Thread[] threads = new Thread[cores];
            float[] sink = new float[cores];
            long start = System.nanoTime();
            for (int t = 0; t < cores; t++) {
                int core = t;
                threads[t] = Thread.ofPlatform().start(() -> sink[core] = chains(ROUND, core));
            }
            for (Thread thread : threads) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Double.NaN;
                }
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        return cores * ROUND * 16.0 * S.length() * 2 / (best / 1e9);
    }

    /** Sixteen chains a ← a·m + c, {@code count} steps each; the result keeps the compiler from dropping them. */
    private static float chains(long count, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f), c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4),
                a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10),
                a11 = a0.add(11), a12 = a0.add(12), a13 = a0.add(13), a14 = a0.add(14), a15 = a0.add(15);
        for (long i = 0; i < count; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c);
            a4 = a4.fma(m, c); a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c);
            a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
            a12 = a12.fma(m, c); a13 = a13.fma(m, c); a14 = a14.fma(m, c); a15 = a15.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .add(a12).add(a13).add(a14).add(a15).reduceLanes(VectorOperators.ADD);
    }
}
