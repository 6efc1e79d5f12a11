package dev.downhill.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The dropout masks every backend draws: Philox4x32-10 as published, laid out as DropoutMask says. */
class DropoutMaskTest {
    /**
     * Seed 0x0123456789ABCDEF, step 7, layer 1, rate ½: elements 0..31, 1 kept, 0 dropped. The
     * kernels' philox.cuh draws the same (kernels' PhiloxTest asserts this string too).
     */
    static final String SHARED_FIXTURE = "10110010010001000011100100100111";

    @Test
    void philoxGivesRandom123sKnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, words(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, words(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                words(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    private static int[] words(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    @Test
    void theMaskTheKernelsAlsoDraw() {
        float[] keep = new float[32];
        new DropoutMask(0.5, 0x0123456789ABCDEFL).fill(7, 1, 0, keep, 32);
        StringBuilder kept = new StringBuilder();
        for (float k : keep) {
            assertTrue(k == 0f || k == 2f, "a factor is 0 or 1/(1 − ½): " + k);
            kept.append(k == 0 ? '0' : '1');
        }
        assertEquals(SHARED_FIXTURE, kept.toString());
    }

    @Test
    void aUnitIsKeptWithProbabilityOneMinusTheRateAndScaledByItsInverse() {
        for (double rate : new double[] {0.1, 0.3, 0.5, 0.9}) {
            DropoutMask mask = new DropoutMask(rate, 5);
            float[] keep = new float[200_003];          // not a multiple of 4: the last Philox block is cut
            mask.fill(3, 0, 0, keep, keep.length);
            int kept = 0;
            for (float k : keep) {
                if (k != 0) {
                    kept++;
                    assertEquals((float) (1 / (1 - rate)), k);
                }
            }
            // 200,003 Bernoulli draws: the standard deviation of the fraction is below 0.0012
            assertEquals(1 - rate, kept / (double) keep.length, 0.006, "rate " + rate);
        }
    }

    @Test
    void eachStepLayerAndSeedHasItsOwnMaskAndEachIsReproducible() {
        float[] base = draw(1, 2, 3), again = draw(1, 2, 3);
        assertArrayEquals(base, again, "a pure function of seed, step, layer, element");
        assertFalse(java.util.Arrays.equals(base, draw(2, 2, 3)), "another seed");
        assertFalse(java.util.Arrays.equals(base, draw(1, 3, 3)), "another step");
        assertFalse(java.util.Arrays.equals(base, draw(1, 2, 4)), "another layer");
    }

    /** A data-parallel rank's rows start inside the step's batch: its mask is that part of the whole batch's. */
    @Test
    void aMaskFromAnElementOnIsThatPartOfTheWholeMask() {
        DropoutMask mask = new DropoutMask(0.5, 11);
        float[] whole = new float[50];
        mask.fill(2, 1, 0, whole, 50);
        for (int first : new int[] {1, 3, 4, 13, 30}) {
            float[] part = new float[50 - first];
            mask.fill(2, 1, first, part, part.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(whole, first, 50), part, "from element " + first);
        }
    }

    @Test
    void rateZeroKeepsEveryUnitUnscaled() {
        float[] keep = new float[64];
        new DropoutMask(0, 9).fill(0, 0, 0, keep, keep.length);
        for (float k : keep) assertEquals(1f, k);
    }

    @Test
    void aRateOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DropoutMask(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DropoutMask(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DropoutMask(Double.NaN, 0));
    }

    private static float[] draw(long seed, int step, int layer) {
        float[] keep = new float[40];
        new DropoutMask(0.5, seed).fill(step, layer, 0, keep, keep.length);
        return keep;
    }
}
