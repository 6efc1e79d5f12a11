package dev.downhill.kernels;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The committed PTX is what the CUDA sources compile to. */
class KernelSourcesTest {
    private static final Path SOURCES = Path.of("src/main/cuda");
    private static final Path PTX = Path.of("src/main/resources/dev/downhill/kernels");
    private static final Pattern RELEASE = Pattern.compile("release (\\d+\\.\\d+), (V[0-9.]+)");

    /** Compiled once per network shape, into a folder of its own: kernel tiny_net_epoch_I_H_O in I_H_O.ptx. */
    private static final String PER_SHAPE = "tiny_net_epoch";

    @Test
    void everyKernelSourceHasItsPtxAndNoPtxIsOrphaned() throws IOException {
        List<String> kernels = names(SOURCES, ".cu");
        assertFalse(kernels.isEmpty());
        assertEquals(kernels.stream().filter(k -> !k.equals(PER_SHAPE)).toList(), names(PTX, ".ptx"));
        for (String k : kernels) {
            if (k.equals(PER_SHAPE)) continue;
            checkPtx(PTX.resolve(k + ".ptx"), k);
        }
        List<String> shapes = names(PTX.resolve(PER_SHAPE), ".ptx");
        assertEquals(32, shapes.size(), "in 1..4, hidden 1..4, out 1..2: " + shapes);
        for (String shape : shapes) checkPtx(PTX.resolve(PER_SHAPE).resolve(shape + ".ptx"), PER_SHAPE + "_" + shape);
    }

    /** A kernel compiled for several layer counts has one entry per count: mlp64_step_1 … */
    private static void checkPtx(Path file, String kernel) throws IOException {
        String ptx = Files.readString(file);
        assertTrue(ptx.contains(".entry " + kernel + "(") || ptx.contains(".entry " + kernel + "_"),
                file + " defines the extern \"C\" kernel " + kernel);
        String target = "sm_" + target(kernel.startsWith(PER_SHAPE) ? PER_SHAPE : kernel);
        assertTrue(ptx.contains(".target " + target + "\n"), file + " targets " + target + ", as its source says");
    }

    private static final Pattern TARGET = Pattern.compile("^// target: compute_(\\d+)");

    /** Compute capability a source is compiled for: 75 unless its first line names another (build-ptx.sh). */
    private static String target(String kernel) throws IOException {
        Matcher m = TARGET.matcher(Files.readString(SOURCES.resolve(kernel + ".cu")));
        return m.find() ? m.group(1) : "75";
    }

    @Test
    void tensorCoreKernelsDeclareTheirTarget() throws IOException {
        for (String k : names(SOURCES, ".cu")) {
            boolean tensorCores = Files.readString(SOURCES.resolve(k + ".cu")).contains("mma.sync");
            assertEquals(tensorCores, Integer.parseInt(target(k)) >= 80, k + ".cu: mma.sync needs a compute_80 target line");
        }
    }

    @Test
    void committedPtxIsNotStale() throws Exception {
        String installed = nvccRelease();
        Assumptions.assumeTrue(installed != null, "nvcc not found: the committed PTX is used as it is");
        Matcher committed = RELEASE.matcher(Files.readString(PTX.resolve("gather_rows.ptx")));
        assertTrue(committed.find(), "the PTX names the nvcc release that made it");
        Assumptions.assumeTrue(installed.equals(committed.group(2)),
                "nvcc " + installed + " differs from " + committed.group(2) + " that made the PTX: staleness not checked");
        Path fresh = Files.createDirectories(Path.of("target/ptx-check"));
        Process p = new ProcessBuilder("bash", "build-ptx.sh", fresh.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, "build-ptx.sh failed: " + log);
        for (String k : names(SOURCES, ".cu")) {
            if (k.equals(PER_SHAPE)) {
                for (String shape : names(PTX.resolve(PER_SHAPE), ".ptx")) assertSame(fresh, PER_SHAPE + "/" + shape);
            } else {
                assertSame(fresh, k);
            }
        }
    }

    private static void assertSame(Path fresh, String ptx) throws IOException {
        assertEquals(Files.readString(fresh.resolve(ptx + ".ptx")), Files.readString(PTX.resolve(ptx + ".ptx")),
                ptx + ".ptx is stale: run kernels/build-ptx.sh and commit the result");
    }

    private static String nvccRelease() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(1, TimeUnit.MINUTES);
            Matcher m = RELEASE.matcher(out);
            return m.find() ? m.group(2) : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static List<String> names(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length())).sorted().toList();
        }
    }
}
