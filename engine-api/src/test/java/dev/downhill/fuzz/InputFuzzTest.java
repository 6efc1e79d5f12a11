package dev.downhill.fuzz;

import dev.downhill.InputException;
import dev.downhill.backend.OptimizerState;
import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.checkpoint.TrainingCheckpoint;
import dev.downhill.data.CsvReader;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.train.EpochReport;
import dev.downhill.train.TrainingProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded mutation fuzzing of the two readers of user files: every mutated input must either
 * load or fail with the project's own {@link InputException}, never hang, and never allocate
 * much more than the input's size. {@code -Ddownhill.fuzz.inputs=N} runs a longer campaign.
 */
class InputFuzzTest {
    private static final int INPUTS = Integer.getInteger("downhill.fuzz.inputs", 10_000);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @Test
    void csvReader() throws Exception {
        byte[] valid = ("cgpa,profile_score,package,placed\n7.3,8.1,4.97,1\n7.01,8.0,4.98,0\n\"8.98\",6.5,5.18,1\n"
                + "9.72,5.2,5.53,0\n").getBytes(StandardCharsets.UTF_8);
        Mutator mutator = new Mutator(1, b(","), b("\n"), b("\""), b("NaN"), b("-Infinity"), b("1e39"), b(""), b("\r\n"),
                b("placed"), b("99999999999"), b("\u00ff\u00fe"), new byte[] {0}, b("2.5"));
        Path file = dir.resolve("fuzz.csv");
        CsvReader[] readers = {CsvReader.values("package"),
                new CsvReader(List.of("placed"), List.of(), CsvReader.Targets.CLASS_INDEX, 0),
                CsvReader.values("placed").targetsFor(dev.downhill.network.Loss.BCE)};
        int[] outcomes = fuzz(valid, mutator, file, input -> {
            for (CsvReader r : readers) {
                r.read(input, false);
                r.read(input, true);
            }
        });
        System.out.printf("csv reader: %d inputs fuzzed, %d read, %d rejected with InputException%n", INPUTS, outcomes[0], outcomes[1]);
    }

    @Test
    void checkpointLoader() throws Exception {
        Network net = Network.builder(3).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY).build();
        Path folder = dir.resolve("ckpt");
        float[] p = net.initialParameters();
        Path saved = TrainingCheckpoint.save(folder, 1, net, p, new OptimizerState(3, p.clone(), p.clone()),
                new TrainingProgress(2, 1, 0.5, 0, List.of(new EpochReport(1, 0.7, Double.NaN, Double.NaN, 0.1f, Double.NaN, 9))),
                Map.of("downhill.note", "x"));
        byte[] valid = Files.readAllBytes(saved);
        Mutator mutator = new Mutator(2, b("{"), b("}"), b("\"F32\""), b("\"BF16\""), b("[0,99999999999]"),
                b("[4294967296,2]"), b("-1"), b("\"shape\":[1000000,1000000]"), b("\"__metadata__\""),
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f, 0, 0, 0, 0}, b("\\u0000"), b("1e308"));
        Path file = dir.resolve("fuzz.safetensors");
        int[] outcomes = fuzz(valid, mutator, file, input -> {
            try {
                TrainingCheckpoint.load(input);
            } finally {
                Checkpoint.load(input);
            }
        });
        System.out.printf("checkpoint loader: %d inputs fuzzed, %d loaded, %d rejected with InputException%n", INPUTS,
                outcomes[0], outcomes[1]);
    }

    @Test
    void arrayReaders() throws Exception {
        byte[] x = dev.downhill.testing.NumpyFiles.npy("<f4", false, "(3, 2)",
                dev.downhill.testing.NumpyFiles.floats(java.nio.ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
        byte[] y = dev.downhill.testing.NumpyFiles.npy("<i8", false, "(3,)", dev.downhill.testing.NumpyFiles.longs(1, 0, 1));
        Mutator mutator = new Mutator(3, b("(3, 2)"), b("(99999999, 99999999)"), b("'<f8'"), b("'>i2'"), b("'|b1'"), b("True"),
                b("(0,)"), b("'shape': ()"), b("NUMPY"), new byte[] {0, 0, 8, 3}, new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                b("PK"), new byte[] {0x1f, (byte) 0x8b});
        CsvReader reader = new CsvReader(List.of("y"), List.of(), CsvReader.Targets.CLASS_INDEX, 0);
        Path npz = dir.resolve("fuzz.npz"), npy = dir.resolve("fuzz.npy"), idx = dir.resolve("fuzz-images-idx3-ubyte");
        Files.write(dir.resolve("fuzz-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 0});
        byte[] images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 5, 6, 7, 8};
        int[] outcomes = new int[2];
        for (Object[] c : new Object[][] {{dev.downhill.testing.NumpyFiles.npz("x", x, "y", y), npz, "y"}, {x, npy, "c1"},
                {images, idx, "label"}}) {
            Path file = (Path) c[1];
            CsvReader r = c[2].equals("y") ? reader : CsvReader.values((String) c[2]);
            int[] o = fuzz((byte[]) c[0], mutator, file, input -> r.read(input, true));
            outcomes[0] += o[0];
            outcomes[1] += o[1];
        }
        System.out.printf("array readers: %d inputs fuzzed, %d read, %d rejected with InputException%n", 3 * INPUTS,
                outcomes[0], outcomes[1]);
    }

    private interface Reader {
        void read(Path file) throws Exception;
    }

    /**
     * Returns {accepted, rejected}; fails on any other exception or a large allocation. A reader
     * that works too hard on an input shows in its allocation, which is the same on every machine;
     * a per-input time limit (it was 2 s) passed or failed with the machine's speed. The overall
     * limit only stops a reader that hangs.
     */
    private static int[] fuzz(byte[] valid, Mutator mutator, Path file, Reader reader) throws Exception {
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            for (int i = 0; i < INPUTS; i++) {
                byte[] input = mutator.mutate(valid);
                Files.write(file, input);
                long allocated = THREADS.getCurrentThreadAllocatedBytes();
                try {
                    reader.read(file);
                    outcomes[0]++;
                } catch (InputException expected) {
                    outcomes[1]++;
                } catch (Throwable t) {
                    Path kept = Files.write(file.resolveSibling("crash-" + i), input);
                    throw new AssertionError("input " + i + " (kept in " + kept + ") threw " + t, t);
                }
                long bytes = THREADS.getCurrentThreadAllocatedBytes() - allocated;
                assertTrue(bytes < 64L * input.length + (4 << 20), "input " + i + " made the reader allocate " + bytes + " bytes");
            }
        });
        return outcomes;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
