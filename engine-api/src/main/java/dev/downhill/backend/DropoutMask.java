package dev.downhill.backend;

/**
 * Which hidden units inverted dropout keeps in a training step, drawn so that every backend draws
 * the same ones: element {@code i} of hidden layer {@code l}'s {@code [rows, units]} output in
 * optimiser step {@code t} (counted from the first step of the run, so resuming draws what an
 * uninterrupted run would) takes word {@code i mod 4} of Philox4x32-10 at counter
 * {@code (i / 4, l, t, 0)} with the seed as key. It is kept when the word's top 24 bits are at
 * least {@link #threshold()}, i.e. with probability 1 − rate to within 2⁻²⁴, and a kept value is
 * scaled by {@link #scale()} = 1 / (1 − rate) so that the layer's expected output is unchanged
 * (PyTorch's {@code nn.Dropout}).
 */
public final class DropoutMask {
    private final double rate;
    private final long seed;

    /** @param rate the probability that a unit is zeroed, in [0, 1) */
    public DropoutMask(double rate, long seed) {
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("a dropout rate is in [0, 1), got " + rate);
        this.rate = rate;
        this.seed = seed;
    }

    public double rate() {
        return rate;
    }

    /** The smallest top-24-bit value of a kept element's word. */
    public int threshold() {
        return (int) Math.round(rate * (1 << 24));
    }

    /** What a kept element is multiplied by. */
    public float scale() {
        return (float) (1 / (1 - rate));
    }

    /** The Philox key's low word. */
    public int keyLow() {
        return (int) seed;
    }

    /** The Philox key's high word. */
    public int keyHigh() {
        return (int) (seed >>> 32);
    }

    /**
     * {@code keep[i]} ← {@link #scale()} where element {@code first + i} of layer {@code layer}'s
     * output in step {@code step} is kept, 0 where it is dropped, for i in [0, n). A data-parallel
     * rank whose rows start at row r of the step's whole batch starts at element r · units.
     */
    public void fill(int step, int layer, long first, float[] keep, int n) {
        int threshold = threshold();
        float scale = scale();
        int[] words = new int[4];
        long group = -1;
        for (int i = 0; i < n; i++) {
            long element = first + i;
            if (element >>> 2 != group) {
                group = element >>> 2;
                Philox.block((int) group, layer, step, 0, keyLow(), keyHigh(), words);
            }
            keep[i] = words[(int) (element & 3)] >>> 8 >= threshold ? scale : 0f;
        }
    }
}
