package dev.downhill.fuzz;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded mutations of a valid input: bit flips, byte changes, insertions, deletions, truncation, splices. */
final class Mutator {
    private final SplittableRandom random;
    private final byte[][] interesting;

    /** @param interesting byte strings worth splicing in (delimiters, numbers at the edges, keywords) */
    Mutator(long seed, byte[]... interesting) {
        this.random = new SplittableRandom(seed);
        this.interesting = interesting;
    }

    byte[] mutate(byte[] input) {
        byte[] b = input.clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) b = once(b);
        return b;
    }

    private byte[] once(byte[] b) {
        if (b.length == 0) return new byte[] {(byte) random.nextInt(256)};
        int at = random.nextInt(b.length);
        switch (random.nextInt(7)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) random.nextInt(256);
            case 2 -> {
                return Arrays.copyOf(b, at);
            }
            case 3 -> {
                byte[] out = new byte[b.length - 1];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + 1, out, at, b.length - at - 1);
                return out;
            }
            case 4 -> {
                return splice(b, at, interesting[random.nextInt(interesting.length)]);
            }
            case 5 -> {
                int len = Math.min(b.length - at, 1 + random.nextInt(16));
                return splice(b, random.nextInt(b.length), Arrays.copyOfRange(b, at, at + len));
            }
            default -> {
                for (int i = 0; i < 8 && at + i < b.length; i++) b[at + i] = (byte) (random.nextBoolean() ? 0xFF : 0);
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }
}
