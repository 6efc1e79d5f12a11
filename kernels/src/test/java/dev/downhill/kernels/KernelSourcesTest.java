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

    @Test
    void everyKernelSourceHasItsPtxAndNoPtxIsOrphaned() throws IOException {
        List<String> kernels = names(SOURCES, ".cu");
        assertFalse(kernels.isEmpty());
        assertEquals(kernels, names(PTX, ".ptx"));
        for (String k : kernels) {
            String ptx = Files.readString(PTX.resolve(k + ".ptx"));
            assertTrue(ptx.contains(".entry " + k + "("), k + ".ptx defines the extern \"C\" kernel " + k);
            assertTrue(ptx.contains(".target sm_75"), k + ".ptx targets compute capability 7.5");
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
            assertEquals(Files.readString(fresh.resolve(k + ".ptx")), Files.readString(PTX.resolve(k + ".ptx")),
                    k + ".ptx is stale: run kernels/build-ptx.sh and commit the result");
        }
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
