package dev.downhill.kernels;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * philox.cuh, the dropout masks' generator, is host code too: compiled for this machine, it gives
 * Random123's known answers and the mask the CPU backend draws for the same step (no GPU needed).
 */
class PhiloxTest {
    @Test
    void philoxGivesTheKnownAnswersAndTheCpusMask() throws Exception {
        Path binary = Files.createDirectories(Path.of("target/philox-check")).resolve("philox_check");
        Process nvcc;
        try {
            nvcc = new ProcessBuilder("nvcc", "-I", "src/main/cuda", "-o", binary.toString(), "src/test/cuda/philox_check.cu")
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("nvcc not found: the committed PTX is used as it is, and philox.cuh is not compiled here");
            return;
        }
        String log = new String(nvcc.getInputStream().readAllBytes());
        assertTrue(nvcc.waitFor(2, TimeUnit.MINUTES) && nvcc.exitValue() == 0, "nvcc failed: " + log);
        Process run = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(run.getInputStream().readAllBytes()).lines().toList();
        assertTrue(run.waitFor(1, TimeUnit.MINUTES));
        assertEquals(List.of(
                "6627e8d5 e169c58d bc57ac4c 9b00dbd8",
                "408f276d 41c83b0e a20bc7c6 6d5451fd",
                "d16cfe09 94fdcceb 5001e420 24126ea1",
                "10110010010001000011100100100111"), lines, "Random123's kat_vectors, then DropoutMaskTest.SHARED_FIXTURE");
    }
}
