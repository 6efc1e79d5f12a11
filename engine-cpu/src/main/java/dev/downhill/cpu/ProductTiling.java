package dev.downhill.cpu;

import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How {@link VectorProducts} cuts a product {@code C = A·B} for the machine it runs on: the
 * register tile of C a micro-kernel keeps in vector registers ({@code rows × vectors} vectors of
 * the preferred length), and the blocks of A and B packed so that they stay in the caches while
 * the tiles pass over them, in the manner of BLIS and GotoBLAS:
 * <ul>
 *   <li>{@code depth} (kc): rows of B per packed block, 512. Each tile of C is loaded and stored
 *       once per depth block, so a deep block pays that less often; a tile's strip of B
 *       ({@code depth × width} floats, 96 KiB for 8×3) then streams from L2 rather than sitting in
 *       L1, which the kernel's three loads per 24 multiply-adds allow. Measured at 1024³ on two Zen 5
 *       cores (2026-12-03): depth 80 (the strip in half of a 32 KiB L1) 312 GFLOP/s, 256: 365, 512: 366–382;</li>
 *   <li>{@code blockRows} (mc): rows of A per packed block, {@code blockRows × depth} floats in a
 *       quarter of L2 (64 rows of 512 with 512 KiB);</li>
 *   <li>{@code blockColumns} (nc): columns of B per packed block, about 4096 (fewer cost: 960
 *       columns 357 GFLOP/s, 480: 341).</li>
 * </ul>
 * The tile never changes a sum: each element of C is summed over k in the same order, a depth
 * block at a time, whatever the tile. The depth does change where the partial sums break.
 *
 * @param rows     rows of C in a register tile (MR)
 * @param vectors  vectors of columns of C in a register tile (NR = vectors × lanes)
 */
record ProductTiling(int rows, int vectors, int depth, int blockRows, int blockColumns) {
    static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    /** The register tiles there are kernels for; {@link MicroKernels} has one method each. */
    static final int[][] TILES = {{4, 2}, {3, 3}, {8, 3}};

    /**
     * The tilings the products of this machine choose from, widest first. With 512-bit vectors (32
     * registers) 8×3 ran at 224 GFLOP/s of one Zen 5 core's 228 and 4×2 at 204 (2026-12-03, packed
     * operands in cache). Held to AVX2 (256-bit, 16 registers) 3×3 ran at 109, 4×2 at 103 and 8×3,
     * whose 24 sums cannot stay in 16 registers, at 61; but 3×3 is 24 columns wide, so a product
     * 64 columns wide (tcnn's) would compute 72: those take 4×2 ({@link #forWidth}).
     */
    static List<ProductTiling> forThisMachine() {
        String forced = System.getProperty("downhill.cpu.tile");
        CacheSizes caches = CacheSizes.read();
        if (forced != null) return List.of(of(parseTile(forced), caches));
        return LANES >= 16 ? List.of(of(TILES[2], caches)) : List.of(of(TILES[1], caches), of(TILES[0], caches));
    }

    /**
     * Of {@code choices} (widest first), the first that pads a product {@code n} columns wide by at
     * most a sixteenth, else the last.
     */
    static ProductTiling forWidth(List<ProductTiling> choices, int n) {
        for (ProductTiling t : choices) {
            int padded = (n + t.width() - 1) / t.width() * t.width();
            if ((padded - n) * 16 <= n) return t;
        }
        return choices.getLast();
    }

    /** Every tiling the kernels offer, with this machine's caches: the tests check them all. */
    static List<ProductTiling> all() {
        CacheSizes caches = CacheSizes.read();
        return java.util.Arrays.stream(TILES).map(t -> of(t, caches)).toList();
    }

    private static ProductTiling of(int[] tile, CacheSizes caches) {
        return of(tile[0], tile[1], caches);
    }

    static ProductTiling of(int rows, int vectors, CacheSizes caches) {
        int width = vectors * LANES;
        int depth = 512;
        int blockRows = clamp(caches.l2Bytes() / 4 / (depth * Float.BYTES) / rows * rows, rows, 4096 / rows * rows);
        int blockColumns = Math.max(width, 4096 / width * width);
        return new ProductTiling(rows, vectors, depth, blockRows, blockColumns);
    }

    int width() {
        return vectors * LANES;
    }

    /** Whether the kernel reads A from packed strips (4×2 and 3×3, for 16 registers) rather than in place through strides (8×3). */
    boolean packsA() {
        return rows < 8;
    }

    String describe() {
        return String.format(Locale.ROOT, "%d×%d tile of %d-lane vectors, blocks %d×%d of A and %d×%d of B",
                rows, width(), LANES, blockRows, depth, depth, blockColumns);
    }

    private static int[] parseTile(String s) {
        for (int[] t : TILES) {
            if (s.equals(t[0] + "x" + t[1])) return t;
        }
        throw new IllegalArgumentException("downhill.cpu.tile=" + s + ": the kernels offer 4x2, 3x3 and 8x3");
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * The first core's L2 cache, from Linux's sysfs where it shows it; where it does not (some
     * containers hide it), 512 KiB, the smallest of the x86 cores this project runs on, so that a
     * block never overflows the cache for want of knowing it.
     */
    record CacheSizes(int l2Bytes) {
        static final CacheSizes FALLBACK = new CacheSizes(512 << 10);

        static CacheSizes read() {
            Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
            for (int index = 0; index < 8; index++) {
                Path cache = dir.resolve("index" + index);
                try {
                    String type = Files.readString(cache.resolve("type")).trim();
                    int level = Integer.parseInt(Files.readString(cache.resolve("level")).trim());
                    if (level == 2 && !type.equals("Instruction")) return new CacheSizes(parseSize(Files.readString(cache.resolve("size")).trim()));
                } catch (IOException | RuntimeException absent) {
                    // no such cache, or sysfs hidden: the fallback below
                }
            }
            return FALLBACK;
        }

        /** "48K", "1024K", "1M" as sysfs writes them. */
        static int parseSize(String s) {
            char unit = Character.toUpperCase(s.charAt(s.length() - 1));
            return switch (unit) {
                case 'K' -> Integer.parseInt(s.substring(0, s.length() - 1)) << 10;
                case 'M' -> Integer.parseInt(s.substring(0, s.length() - 1)) << 20;
                default -> Integer.parseInt(s);
            };
        }
    }
}
