package dev.downhill.cli;

import dev.downhill.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Nothing a user has is lost or silently wrong: outputs, inputs, checkpoints, runs that share a folder. */
class DataSafetyTest {
    private static final Path SEED_CSV = CliRun.SEED_CSV;

    @TempDir
    Path dir;

    private Path trainedModel() {
        Path out = dir.resolve("model");
        CliRun r = CliRun.of("train", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--features",
                "cgpa,profile_score", "--epochs", "2", "--out", out.toString(), "--backend", "cpu");
        assertEquals(0, r.code(), r.err());
        return out.resolve("model.safetensors");
    }

    /** Exit 2 and one error line (beside what the backend announces on standard error), never a stack trace. */
    static void assertOneLineError(CliRun r, String expected) {
        assertEquals(Main.USER_ERROR, r.code(), r.out() + r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("downhill: error: ")).toList();
        assertEquals(1, errors.size(), "one error line: " + r.err());
        assertTrue(errors.getFirst().contains(expected), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    @Test
    void predictionsOnAFullDiskFailLoudly() {
        CliRun r = CliRun.of("predict", "--model", trainedModel().toString(), "--data", SEED_CSV.toString(),
                "--output", "/dev/full", "--backend", "cpu");
        assertOneLineError(r, "/dev/full: cannot write predictions (No space left on device)");
    }

    @Test
    void predictionsThatFailLeaveThePreviousFileWhole() throws IOException {
        Path model = trainedModel();
        Path previous = dir.resolve("pred.csv");
        Files.writeString(previous, "yesterday's predictions\n");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "cgpa,profile_score\n7.1,x\n");
        assertOneLineError(CliRun.of("predict", "--model", model.toString(), "--data", bad.toString(), "--output",
                previous.toString(), "--backend", "cpu"), "is not a number");
        assertEquals("yesterday's predictions\n", Files.readString(previous));
        assertEquals(List.of("pred.csv", "bad.csv", "model").stream().sorted().toList(),
                list(dir), "no temporary file is left");
    }

    @Test
    void predictRefusesToWriteOverItsInputOrModel() throws IOException {
        Path model = trainedModel();
        Path data = dir.resolve("data.csv");
        Files.copy(SEED_CSV, data);
        byte[] before = Files.readAllBytes(data);
        assertOneLineError(CliRun.of("predict", "--model", model.toString(), "--data", data.toString(), "--output",
                dir.resolve(".").resolve("data.csv").toString()), "--output is the data it reads");
        assertArrayEquals(before, Files.readAllBytes(data));
        assertOneLineError(CliRun.of("predict", "--model", model.toString(), "--data", data.toString(), "--output",
                model.toString()), "--output is the model it uses");
    }

    @Test
    void predictRefusesADirectoryOrAnUnwritablePlaceBeforeWork() {
        Path model = trainedModel();
        assertOneLineError(CliRun.of("predict", "--model", model.toString(), "--data", SEED_CSV.toString(), "--output",
                dir.toString()), "cannot write predictions (it is a folder)");
        assertOneLineError(CliRun.of("predict", "--model", model.toString(), "--data", SEED_CSV.toString(), "--output",
                "/proc/downhill/p.csv"), "/proc/downhill/p.csv: cannot write predictions");
    }

    @Test
    void unwritableOutputsAreFoundBeforeTheFirstEpoch() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        for (String[] outputs : new String[][] {{"--out", file.toString()}, {"--out", "/dev/null"},
                {"--out", "/proc/downhill"}, {"--out", dir.resolve("ok").toString(), "--report", "/proc/downhill"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--data", SEED_CSV.toString(), "--target", "placed",
                    "--loss", "bce", "--epochs", "2"));
            args.addAll(List.of(outputs));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertOneLineError(r, "cannot write");
            assertFalse(r.out().contains("epoch"), "no epoch ran: " + r.out());
        }
    }

    @Test
    void aRunThatStopsAtAMistakeLeavesNoFolderBehind() {
        Path out = dir.resolve("new/deeper/run");
        assertOneLineError(CliRun.of("train", "--data", dir.resolve("missing.csv").toString(), "--target", "y", "--out",
                out.toString()), "no such file");
        assertFalse(java.nio.file.Files.exists(dir.resolve("new")), "the folders the run made for its outputs are gone");
    }

    @Test
    void theModelIsSavedBeforeTheReport() {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("train", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--epochs", "2",
                "--out", out.toString(), "--report", dir.resolve("report").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().indexOf("saved " + out.resolve("model.safetensors")) < r.out().indexOf("report: "), r.out());
    }

    @Test
    void aSecondRunIntoTheSameFolderStopsAtOnce() {
        Path out = dir.resolve("shared");
        try (OutputFolder first = OutputFolder.claim(out)) {
            CliRun second = CliRun.of("train", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--epochs", "2",
                    "--out", out.toString());
            assertOneLineError(second, out + ": another downhill train is writing into this folder");
        }
        assertEquals(0, CliRun.of("train", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--epochs", "2",
                "--out", out.toString()).code(), "free again once the first run ends");
    }

    @Test
    void nonFiniteOrIncompleteStatisticsInAModelAreRefused() {
        Path model = trainedModel();
        Checkpoint c = Checkpoint.load(model);
        Map<String, String> edits = Map.of(PredictCommand.STD, "1,0", PredictCommand.MEAN, "Infinity,0");
        assertEquals(2, c.network().inputWidth());
        String[] expected = {"the saved standard deviation of input 1 is 0.0", "the saved mean of input 0 is Infinity"};
        int i = 0;
        for (var edit : edits.entrySet()) {
            Map<String, String> meta = new LinkedHashMap<>(c.metadata());
            meta.put(edit.getKey(), edit.getValue());
            Path edited = dir.resolve("edited-" + i + ".safetensors");
            Checkpoint.save(edited, c.network(), c.parameters(), meta);
            CliRun r = CliRun.of("predict", "--model", edited.toString(), "--data", SEED_CSV.toString());
            assertOneLineError(r, edit.getKey().equals(PredictCommand.STD) ? expected[0] : expected[1]);
            i++;
        }
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.remove(PredictCommand.STD);
        Path noStd = dir.resolve("no-std.safetensors");
        Checkpoint.save(noStd, c.network(), c.parameters(), meta);
        assertOneLineError(CliRun.of("predict", "--model", noStd.toString(), "--data", SEED_CSV.toString()),
                "the standardisation statistics are incomplete (no std)");
    }

    @Test
    void columnNamesWithCommasSurviveTheCheckpoint() throws IOException {
        Path data = dir.resolve("quoted.csv");
        StringBuilder s = new StringBuilder("\"x,1\",y\n");
        for (int i = 0; i < 40; i++) s.append(i / 40.0).append(',').append(2 * i / 40.0).append('\n');
        Files.writeString(data, s);
        Path out = dir.resolve("quoted");
        assertEquals(0, CliRun.of("train", "--data", data.toString(), "--target", "y", "--epochs", "2", "--out",
                out.toString()).code());
        Path predictions = dir.resolve("pred.csv");
        CliRun r = CliRun.of("predict", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString(),
                "--output", predictions.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("\"x,1\",pred_y", Files.readAllLines(predictions).getFirst());
    }

    @Test
    void resumingOnChangedDataIsRefused() throws IOException {
        Path data = dir.resolve("d.csv");
        Files.copy(SEED_CSV, data);
        Path out = dir.resolve("r");
        assertEquals(130, stopped("train", "--data", data.toString(), "--target", "package_lpa", "--epochs", "3",
                "--out", out.toString()).code());
        List<String> lines = Files.readAllLines(data);
        Files.write(data, lines.subList(0, lines.size() - 5));
        CliRun r = CliRun.of("train", "--resume", out.resolve("checkpoints").toString());
        assertOneLineError(r, data.toAbsolutePath() + ": the data changed since ");
    }

    @Test
    void aBatchAtTheIntLimitTrains() {
        Path out = dir.resolve("huge-batch");
        CliRun r = CliRun.of("train", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--epochs", "3",
                "--batch", "2147483647", "--lr", "0.1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        float[] initial = Checkpoint.load(out.resolve("model.safetensors")).network().initialParameters();
        assertFalse(java.util.Arrays.equals(initial, Checkpoint.load(out.resolve("model.safetensors")).parameters()),
                "the parameters moved");
        assertFalse(r.out().contains("loss 0.000000"), r.out());
    }

    @Test
    void aRunResumesFromAnotherFolderWithItsRelativePaths() throws Exception {
        Path started = Files.createDirectories(dir.resolve("a")), elsewhere = Files.createDirectories(dir.resolve("b"));
        Files.copy(SEED_CSV, started.resolve("in.csv"));
        Path log = dir.resolve("relative.log");
        Process first = JavaProcess.start(started, log, Main.class, "train", "--data", "in.csv", "--target", "package_lpa",
                "--epochs", "2000", "--out", "out");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("epoch    1/2000")) {
            assertTrue(first.isAlive() && System.nanoTime() < deadline, Files.readString(log));
            Thread.sleep(5);
        }
        new ProcessBuilder("kill", "-INT", Long.toString(first.pid())).start().waitFor();
        assertTrue(first.waitFor(2, TimeUnit.MINUTES));
        assertEquals(130, first.exitValue(), Files.readString(log));
        assertFalse(Files.exists(started.resolve("out/model.safetensors")));
        Process resumed = JavaProcess.start(elsewhere, log, Main.class, "train", "--resume", "../a/out/checkpoints");
        assertTrue(resumed.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, resumed.exitValue(), Files.readString(log));
        assertTrue(Files.exists(started.resolve("out/model.safetensors")), "saved where the run was started");
    }

    @Test
    void aSignalBeforeTrainingStartsSaysThereIsNothingToSave() throws Exception {
        Path fifo = dir.resolve("fifo.csv");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path log = dir.resolve("fifo.log");
        Process p = JavaProcess.start(dir, log, Main.class, "train", "--data", fifo.toString(), "--target", "y");
        Thread.sleep(1500);   // the JVM starts and blocks opening the FIFO, which has no writer
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "it stops at the first Ctrl-C");
        assertEquals(130, p.exitValue());
        assertTrue(Files.readString(log).contains("SIGINT before training started: nothing to save"), Files.readString(log));
    }

    /** A run stopped as Ctrl-C stops it, before its first step: a training checkpoint at its very start, exit 130. */
    static CliRun stopped(String... args) {
        Interrupt.request();
        try {
            return CliRun.of(args);
        } finally {
            Interrupt.clear();
        }
    }

    private static List<String> list(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
