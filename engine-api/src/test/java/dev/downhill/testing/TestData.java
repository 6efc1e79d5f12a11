package dev.downhill.testing;

import dev.downhill.data.DataSet;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;

import java.util.SplittableRandom;

/** Seeded random inputs and targets that suit a network's loss. */
public final class TestData {
    private TestData() {}

    public static DataSet randomFor(Network net, int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int in = net.inputWidth(), k = net.outputWidth();
        float[] x = new float[rows * in];
        float[] y = new float[rows * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) (2 * random.nextDouble() - 1);
        for (int r = 0; r < rows; r++) {
            if (net.loss() == Loss.CROSS_ENTROPY) {
                y[r * k + random.nextInt(k)] = 1;
            } else {
                for (int c = 0; c < k; c++) {
                    y[r * k + c] = net.loss() == Loss.BCE ? (float) random.nextInt(2)
                            : (float) (2 * random.nextDouble() - 1);
                }
            }
        }
        return DataSet.of(x, in, y, k);
    }
}
