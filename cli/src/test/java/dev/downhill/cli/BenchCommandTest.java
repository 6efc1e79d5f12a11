package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code downhill bench} on the CPU: a standard workload, a network and data of the user's own, and misuse. */
class BenchCommandTest {
    private static final Path SEED_CSV = CliRun.SEED_CSV;

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> rows(Path json) throws IOException {
        return (List<Map<String, Object>>) dev.downhill.io.Json.parse(Files.readString(json));
    }

    @Test
    void aStandardWorkloadGetsARowInTheTableAndTheJson() throws IOException {
        Path json = dir.resolve("tiny.json");
        CliRun r = CliRun.of("bench", "--workload", "tiny", "--backend", "cpu", "--warmups", "0", "--repeats", "1", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("measuring cpu tiny 2-2-1 batch 1 fp32"), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("cpu") && l.contains("tiny") && l.contains("2-2-1")), r.out());
        assertTrue(r.out().matches("(?s)fma peak +cpu/fp32 +\\d+\\.\\d GFLOP/s \\(\\d+ cores\\)\n"
                + "matrix-product peak cpu/fp32 +\\d+\\.\\d GFLOP/s \\(\\d+% of the FMA peak\\).*"), r.out());
        Map<String, Object> row = rows(json).getFirst();
        assertEquals("tiny", row.get("workload"));
        assertEquals(1.0, ((Number) row.get("batch")).doubleValue());
        double samples = ((Number) row.get("samples_per_s")).doubleValue(), step = ((Number) row.get("step_s")).doubleValue();
        assertTrue(samples > 1000, "samples/s " + samples);
        assertEquals(1, samples * step, 1e-3, "a step of one row takes 1/(samples/s)");
    }

    @Test
    void aNetworkAndDataOfTheUsersOwnAreReadAsTrainReadsThem() throws IOException {
        Path json = dir.resolve("own.json");
        CliRun r = CliRun.of("bench", "--backend", "cpu", "--warmups", "0", "--repeats", "1", "--json", json.toString(),
                "--", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--features", "cgpa,profile_score",
                "--hidden", "8,4", "--batch", "16", "--optimizer", "adam");
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> rows = rows(json);
        assertEquals(1, rows.size(), "one backend, one math mode");
        Map<String, Object> row = rows.getFirst();
        assertEquals("placement", row.get("workload"));
        assertEquals("2-8-4-1", row.get("shape"));
        assertEquals(16.0, ((Number) row.get("batch")).doubleValue());
        assertTrue(((Number) row.get("samples_per_s")).doubleValue() > 1000, row.toString());
    }

    @Test
    void misuseIsOneLine() {
        String[][] cases = {
                {"bench", "--workload", "tiny", "--", "--data", SEED_CSV.toString(), "--target", "package_lpa"},
                {"bench", "--backend", "cpu", "--", "--data", SEED_CSV.toString(), "--target", "salary"},
                {"bench", "--backend", "cpu", "--warmups", "0", "--repeats", "1", "--", "--data", SEED_CSV.toString(),
                        "--target", "package_lpa", "--lr", "1e9", "--batch", "8"},
                {"bench", "--sweep", "depth"},
                {"bench", "--", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--backend", "cuda"},
                {"bench", "--", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--hidden", "abc"},
        };
        String[] expected = {"takes no --workload, --sweep or --batch", "unknown target column 'salary'",
                "the benchmark's training diverged", "unknown sweep 'depth'", "--backend goes before --",
                "'abc' is not an int"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            String last = r.err().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.startsWith("downhill: error: ") && last.contains(expected[i]), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("downhill") || l.startsWith("\tat ")).count(), r.err());
        }
    }
}
