package dev.downhill.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class DataSetTest {
    private static DataSet numbered(int rows) {
        float[] x = new float[rows], y = new float[rows];
        for (int i = 0; i < rows; i++) {
            x[i] = i;
            y[i] = 10 * i;
        }
        return DataSet.of(x, 1, y, 1);
    }

    @Test
    void splitIsSeededDisjointAndComplete() {
        DataSet.Split a = numbered(50).split(0.2, 7), b = numbered(50).split(0.2, 7);
        assertArrayEquals(a.validation().features(), b.validation().features());
        assertEquals(10, a.validation().rows());
        Set<Float> seen = new HashSet<>();
        for (float f : a.train().features()) seen.add(f);
        for (float f : a.validation().features()) assertTrue(seen.add(f), "row " + f + " in both parts");
        assertEquals(50, seen.size());
        for (int r = 0; r < a.validation().rows(); r++) {
            assertEquals(10 * a.validation().feature(r, 0), a.validation().target(r, 0), "targets travel with their rows");
        }
        assertFalse(java.util.Arrays.equals(a.validation().features(), numbered(50).split(0.2, 8).validation().features()));
    }

    @Test
    void standardisationUsesTrainingStatistics() {
        DataSet d = DataSet.of(new float[] {1, 5, 3, 5, 5, 5}, 2, new float[] {0, 0, 0}, 1);
        Standardizer s = Standardizer.fit(d);
        assertArrayEquals(new float[] {3, 5}, s.mean());
        assertEquals((float) Math.sqrt(8.0 / 3), s.std()[0], 1e-6);
        assertEquals(1f, s.std()[1], "a constant column is left unscaled");
        DataSet t = s.apply(d);
        assertEquals(-Math.sqrt(1.5), t.feature(0, 0), 1e-6);
        assertEquals(0f, t.feature(0, 1));
        assertArrayEquals(s.mean(), Standardizer.parse(Standardizer.format(s.mean()), "mean"));
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = DataSet.permutation(1000, 3);
        assertArrayEquals(java.util.stream.IntStream.range(0, 1000).toArray(), java.util.Arrays.stream(p).sorted().toArray());
        assertArrayEquals(p, DataSet.permutation(1000, 3));
    }
}
