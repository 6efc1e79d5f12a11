package dev.downhill.cpu;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.RandomMatrices_FDRM;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The fast product path against the EJML reference, on shapes at and around every edge of its tiling. */
class VectorProductsTest {
    @Test
    void multiplyMatchesEjmlOnEveryTilingEdge() {
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 48, 16}, {5, 47, 9}, {7, 49, 33}, {8, 96, 1}, {128, 257, 3},
                {64, 64, 64}, {131, 1000, 17}, {2, 16, 200}, {257, 33, 129},
                {37, 500, 600}, {6, 49, 1000}, {9, 300, 257}};   // several panels of B, in depth and in width
        Random random = new Random(4);
        int checked = 0;
        for (int[] s : shapes) {
            FMatrixRMaj a = RandomMatrices_FDRM.rectangle(s[0], s[2], -1, 1, random);
            FMatrixRMaj b = RandomMatrices_FDRM.rectangle(s[2], s[1], -1, 1, random);
            FMatrixRMaj expected = new FMatrixRMaj(s[0], s[1]), actual = new FMatrixRMaj(s[0], s[1]);
            CommonOps_FDRM.mult(a, b, expected);
            new VectorProducts().multiply(a.data, b.data, actual.data, s[0], s[1], s[2]);
            double worst = 0, scale = 0;
            for (int i = 0; i < expected.data.length; i++) {
                worst = Math.max(worst, Math.abs(expected.data[i] - actual.data[i]));
                scale = Math.max(scale, Math.abs(expected.data[i]));
            }
            assertTrue(worst <= 1e-5 * Math.max(1, scale) * Math.sqrt(s[2]), java.util.Arrays.toString(s) + ": worst " + worst);
            checked++;
        }
        assertEquals(shapes.length, checked);
    }

    @Test
    void theThreeLayerProductsTakeTheFastPathAndAgreeWithTheReference() {
        Random random = new Random(9);
        FMatrixRMaj x = RandomMatrices_FDRM.rectangle(70, 33, -1, 1, random), w = RandomMatrices_FDRM.rectangle(50, 33, -1, 1, random);
        FMatrixRMaj dz = RandomMatrices_FDRM.rectangle(70, 50, -1, 1, random);
        MatrixProducts fast = new MatrixProducts(MatrixProducts.Path.FAST), reference = new MatrixProducts(MatrixProducts.Path.REFERENCE);
        FMatrixRMaj z1 = new FMatrixRMaj(70, 50), z2 = new FMatrixRMaj(70, 50);
        fast.forward(x, w, z1);
        reference.forward(x, w, z2);
        assertTrue(org.ejml.dense.row.MatrixFeatures_FDRM.isIdentical(z1, z2, 1e-5f), "z = x·Wᵀ");
        FMatrixRMaj g1 = new FMatrixRMaj(50, 33), g2 = new FMatrixRMaj(50, 33);
        fast.weightGradient(dz, x, g1);
        reference.weightGradient(dz, x, g2);
        assertTrue(org.ejml.dense.row.MatrixFeatures_FDRM.isIdentical(g1, g2, 1e-4f), "∂L/∂W = dzᵀ·x");
        FMatrixRMaj d1 = new FMatrixRMaj(70, 33), d2 = new FMatrixRMaj(70, 33);
        fast.inputGradient(dz, w, d1);
        reference.inputGradient(dz, w, d2);
        assertTrue(org.ejml.dense.row.MatrixFeatures_FDRM.isIdentical(d1, d2, 1e-5f), "∂L/∂x = dz·W");
    }

    @Test
    void aLargeProductRunsOnMoreThanOneCore() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "one core: nothing to share");
        int n = 512;
        Random random = new Random(2);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) { a[i] = random.nextFloat(); b[i] = random.nextFloat(); }
        VectorProducts products = new VectorProducts();
        java.util.concurrent.ForkJoinPool pool = java.util.concurrent.ForkJoinPool.commonPool();
        long before = pool.getStealCount();
        for (int i = 0; i < 20; i++) products.multiply(a, b, c, n, n, n);
        // a share the caller had to run itself (no worker free in time) would not count; twenty products leave room for that
        assertTrue(pool.getStealCount() > before, "no share of 20 products of 512³ ran on another thread");
    }
}
