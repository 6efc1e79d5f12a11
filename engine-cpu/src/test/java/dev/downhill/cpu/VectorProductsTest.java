package dev.downhill.cpu;

import dev.downhill.cpu.VectorProducts.Layout;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.RandomMatrices_FDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The fast product path against the EJML reference, on every tiling and layout, at and around every edge of the tiling. */
class VectorProductsTest {
    @Test
    void everyTilingAndLayoutMatchesEjmlOnEveryEdge() {
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 48, 16}, {5, 47, 9}, {7, 49, 33}, {8, 96, 1}, {128, 257, 3},
                {64, 64, 64}, {131, 1000, 17}, {2, 16, 200}, {257, 33, 129}, {9, 24, 0},
                {37, 500, 600}, {6, 49, 1000}, {9, 300, 257}, {1100, 70, 90},   // several blocks in depth, width and rows
                {13, 35, 4097}, {64, 64, 16384}};                                  // deep and narrow: cut into chunks of the depth
        Random random = new Random(4);
        int checked = 0;
        for (ProductTiling tiling : ProductTiling.all()) {
            VectorProducts products = new VectorProducts(tiling);
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                FMatrixRMaj a = RandomMatrices_FDRM.rectangle(m, k, -1, 1, random), b = RandomMatrices_FDRM.rectangle(k, n, -1, 1, random);
                FMatrixRMaj expected = new FMatrixRMaj(m, n);
                CommonOps_FDRM.mult(a, b, expected);
                for (Layout aLayout : Layout.values()) {
                    for (Layout bLayout : Layout.values()) {
                        float[] actual = new float[m * n];
                        Arrays.fill(actual, Float.NaN);                         // every element must be written
                        products.multiply(stored(a, aLayout), aLayout, stored(b, bLayout), bLayout, actual, m, n, k);
                        String what = tiling.describe() + ", A " + aLayout + ", B " + bLayout + ", " + Arrays.toString(s);
                        assertClose(expected.data, actual, k, what);
                        float[] again = new float[m * n], rowSums = new float[m];
                        Arrays.fill(rowSums, Float.NaN);
                        products.multiplyAndSumRowsOfA(stored(a, aLayout), aLayout, stored(b, bLayout), bLayout, again, m, n, k, rowSums);
                        assertArrayEquals(actual, again, what + ": the product is the same with A's row sums beside it");
                        assertClose(rowSums(a), rowSums, k, what + ", A's row sums");
                        checked++;
                    }
                }
            }
        }
        assertEquals(ProductTiling.TILES.length * shapes.length * 4, checked, "every tiling × shape × layout");
    }

    private static float[] rowSums(FMatrixRMaj a) {
        float[] sums = new float[a.numRows];
        for (int i = 0; i < a.numRows; i++) {
            double sum = 0;
            for (int p = 0; p < a.numCols; p++) sum += a.get(i, p);
            sums[i] = (float) sum;
        }
        return sums;
    }

    private static float[] stored(FMatrixRMaj m, Layout layout) {
        return layout == Layout.AS_IS ? m.data : CommonOps_FDRM.transpose(m, null).data;
    }

    private static void assertClose(float[] expected, float[] actual, int k, String what) {
        double worst = 0, scale = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(worst <= 1e-5 * Math.max(1, scale) * Math.sqrt(Math.max(k, 1)),
                what + ": worst element " + at + " differs by " + worst);
    }

    @Test
    void theThreeLayerProductsTakeTheFastPathAndAgreeWithTheReference() {
        Random random = new Random(9);
        FMatrixRMaj x = RandomMatrices_FDRM.rectangle(70, 33, -1, 1, random), w = RandomMatrices_FDRM.rectangle(50, 33, -1, 1, random);
        FMatrixRMaj dz = RandomMatrices_FDRM.rectangle(70, 50, -1, 1, random);
        MatrixProducts fast = new MatrixProducts(MatrixProducts.Path.FAST), reference = new MatrixProducts(MatrixProducts.Path.REFERENCE);
        FMatrixRMaj z1 = new FMatrixRMaj(70, 50), z2 = new FMatrixRMaj(70, 50);
        fast.forward(x, w, z1, VectorProducts.Epilogue.NONE);
        reference.forward(x, w, z2, VectorProducts.Epilogue.NONE);
        assertTrue(org.ejml.dense.row.MatrixFeatures_FDRM.isIdentical(z1, z2, 1e-5f), "z = x·Wᵀ");
        FMatrixRMaj g1 = new FMatrixRMaj(50, 33), g2 = new FMatrixRMaj(50, 33), db1 = new FMatrixRMaj(1, 50), db2 = new FMatrixRMaj(1, 50);
        fast.parameterGradients(dz, x, g1, db1);
        reference.parameterGradients(dz, x, g2, db2);
        assertTrue(org.ejml.dense.row.MatrixFeatures_FDRM.isIdentical(g1, g2, 1e-4f), "∂L/∂W = dzᵀ·x");
        assertArrayEquals(db2.data, db1.data, "∂L/∂b = Σ_rows dz: one chain over the rows in order on both paths");
        FMatrixRMaj d1 = new FMatrixRMaj(70, 33), d2 = new FMatrixRMaj(70, 33);
        fast.inputGradient(dz, w, d1, VectorProducts.Epilogue.NONE);
        reference.inputGradient(dz, w, d2, VectorProducts.Epilogue.NONE);
        assertTrue(org.ejml.dense.row.MatrixFeatures_FDRM.isIdentical(d1, d2, 1e-5f), "∂L/∂x = dz·W");
    }

    /**
     * A large product is cut into one share per core and the shares beyond the caller's are handed
     * to the fork-join pool; a small one stays on the caller. Which thread then runs a share is
     * the scheduler's business, so the test counts shares handed out, not steals, which depend on timing.
     */
    @Test
    void aLargeProductIsSharedAmongTheCoresAndASmallOneIsNot() {
        int cores = Runtime.getRuntime().availableProcessors(), n = 512;
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        VectorProducts products = new VectorProducts();
        products.multiply(a, Layout.AS_IS, b, Layout.AS_IS, c, n, n, n);
        assertEquals(cores - 1, products.sharesHandedOut(), "512³ on " + cores + " cores");
        products.multiply(a, Layout.AS_IS, b, Layout.AS_IS, c, 16, 16, 16);
        assertEquals(cores - 1, products.sharesHandedOut(), "16³ stays on the caller");
        float[] x = new float[16384 * 64], dz = new float[16384 * 64], dw = new float[64 * 64];
        products.multiply(dz, Layout.TRANSPOSED, x, Layout.AS_IS, dw, 64, 64, 16384);
        int handed = Math.min(cores, 16384 / VectorProducts.DEPTH_CHUNK) - 1;
        assertEquals(cores - 1 + 2 * handed, products.sharesHandedOut(), "tcnn's ∂L/∂W: its partial products, then their sum");
    }

    /**
     * Each element is one chain of multiply-adds over k in order, or for a deep, narrow product a
     * sum of such chains over fixed chunks of k: tile, blocks and threads change no bit.
     */
    @ParameterizedTest
    @CsvSource({"300, 200, 700", "20, 37, 9000"})
    void everyTilingAndThreadCountGivesTheSameBits(int m, int n, int k) {
        assertEquals(k > 8000, VectorProducts.splitsByDepth(m, n, k), "which way the product is cut");
        Random random = new Random(3);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = random.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = random.nextFloat() - 0.5f;
        float[] first = null, firstSums = null;
        int compared = 0;
        for (ProductTiling tiling : ProductTiling.all()) {
            for (int threads : new int[] {1, 2, 3}) {
                float[] c = new float[m * n], sums = new float[m];
                new VectorProducts(tiling, threads).multiplyAndSumRowsOfA(a, Layout.AS_IS, b, Layout.TRANSPOSED, c, m, n, k, sums);
                if (first == null) {
                    first = c;
                    firstSums = sums;
                } else {
                    assertArrayEquals(first, c, tiling.describe() + " on " + threads + " threads");
                    assertArrayEquals(firstSums, sums, "A's row sums, " + tiling.describe() + " on " + threads + " threads");
                }
                compared++;
            }
        }
        assertEquals(ProductTiling.TILES.length * 3, compared);
    }

    /** A wide tile where it pads the product little (1024 columns), a narrower one where it would pad much (tcnn's 64). */
    @Test
    void aProductTakesTheWidestTileThatPadsItLittle() {
        ProductTiling.CacheSizes caches = ProductTiling.CacheSizes.FALLBACK;
        ProductTiling wide = ProductTiling.of(3, 3, caches), narrow = ProductTiling.of(4, 2, caches);
        java.util.List<ProductTiling> choices = java.util.List.of(wide, narrow);
        assertSame(wide, ProductTiling.forWidth(choices, 1024));
        assertSame(narrow, ProductTiling.forWidth(choices, 64));
        assertSame(narrow, ProductTiling.forWidth(choices, 10), "neither fits: the narrowest");
    }

    @Test
    void cacheSizesReadAsSysfsWritesThem() {
        assertEquals(48 << 10, ProductTiling.CacheSizes.parseSize("48K"));
        assertEquals(1 << 20, ProductTiling.CacheSizes.parseSize("1M"));
        assertEquals(1 << 20, ProductTiling.CacheSizes.parseSize("1024K"));
        for (int l2 : new int[] {256 << 10, 512 << 10, 2 << 20}) {
            ProductTiling t = ProductTiling.of(8, 3, new ProductTiling.CacheSizes(l2));
            assertTrue((long) t.blockRows() * t.depth() * Float.BYTES <= l2 / 4, "a block of A in a quarter of L2: " + t);
            assertEquals(0, t.blockRows() % t.rows(), "whole tiles in a block of A: " + t);
        }
    }
}
