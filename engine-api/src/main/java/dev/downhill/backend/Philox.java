package dev.downhill.backend;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
 * counter-based generator, so any element's random word is a pure function of its counter and
 * key, on the CPU and in a CUDA thread alike (the kernels' philox.cuh is the same function).
 */
final class Philox {
    private static final long M0 = 0xD2511F53L, M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {}

    /** {@code out[0..4)} ← the four 32-bit words for counter {@code (c0, c1, c2, c3)} and key {@code (k0, k1)}. */
    static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = M0 * Integer.toUnsignedLong(c0), p1 = M1 * Integer.toUnsignedLong(c2);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0, n1 = (int) p1, n2 = (int) (p0 >>> 32) ^ c3 ^ k1, n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
