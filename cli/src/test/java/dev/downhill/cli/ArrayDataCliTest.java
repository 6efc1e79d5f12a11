package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static dev.downhill.testing.NumpyFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/** --data takes NumPy archives as it takes CSV: train names the array of targets, predict reads the same file. */
class ArrayDataCliTest {
    @TempDir
    Path dir;

    @Test
    void aNumpyArchiveTrainsAndPredicts() throws Exception {
        int n = 200;
        float[] x = new float[n * 4];
        long[] y = new long[n];
        Random random = new Random(3);
        for (int r = 0; r < n; r++) {
            y[r] = r % 2;
            for (int c = 0; c < 4; c++) x[r * 4 + c] = (float) (random.nextGaussian() + (y[r] == 1 ? 2 : -2));
        }
        Path data = Files.write(dir.resolve("two.npz"), npz("x", npy("<f4", false, "(" + n + ", 2, 2)", floats(ByteOrder.LITTLE_ENDIAN, x)),
                "y", npy("<i8", false, "(" + n + ",)", longs(y))));
        CliRun train = CliRun.of("train", "--data", data.toString(), "--target", "y", "--loss", "cross-entropy", "--hidden", "8",
                "--optimizer", "adam", "--lr", "0.01", "--epochs", "40", "--early-stopping", "3", "--out", dir.resolve("out").toString());
        assertEquals(0, train.code(), train.out() + train.err());
        assertTrue(train.out().contains("x0, x1, x2, x3 -> y=0, y=1 (160 training rows, 40 validation)"), train.out());
        assertTrue(train.out().contains("validation accuracy 1.000"), train.out());
        Path predictions = dir.resolve("p.csv");
        CliRun predict = CliRun.of("predict", "--model", dir.resolve("out/model.safetensors").toString(), "--data", data.toString(),
                "--output", predictions.toString());
        assertEquals(0, predict.code(), predict.out() + predict.err());
        List<String> lines = Files.readAllLines(predictions);
        assertEquals(n + 1, lines.size());
        assertTrue(lines.getFirst().startsWith("x0,x1,x2,x3,") && lines.getFirst().endsWith(",label"), lines.getFirst());
        int right = 0;
        for (int r = 0; r < n; r++) if (lines.get(r + 1).endsWith("," + y[r])) right++;
        assertTrue(right >= 0.95 * n, right + " of " + n + " labels right");
    }
}
