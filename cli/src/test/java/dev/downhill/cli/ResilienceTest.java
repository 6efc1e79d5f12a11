package dev.downhill.cli;

import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.checkpoint.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Training that survives SIGKILL and Ctrl-C, run in separate JVMs that the test kills. */
class ResilienceTest {
    @TempDir
    Path dir;

    private static final String[] RUN = {"train", "--workload", "mnist", "--rows", "8192", "--hidden", "64",
            "--epochs", "200", "--checkpoint-every", "1", "--keep", "2"};

    @Test
    void resumingAfterRandomKillsEqualsAnUninterruptedRun() throws Exception {
        int kills = 0;
        for (String optimizer : List.of("sgd --momentum 0.9", "adam --dropout 0.2 --clip-norm 1")) {
            List<String> args = new ArrayList<>(List.of(RUN));
            args.addAll(List.of(("--optimizer " + optimizer + " --lr 0.01").split(" ")));
            Path straight = dir.resolve("straight-" + optimizer.split(" ")[0]);
            Path killed = dir.resolve("killed-" + optimizer.split(" ")[0]);
            assertEquals(0, run(args, straight), "the uninterrupted run");
            kills += runUntilDoneKillingAtRandom(args, killed, 10, new SplittableRandom(optimizer.hashCode()));
            float[] expected = Checkpoint.load(straight.resolve("model.safetensors")).parameters();
            float[] actual = Checkpoint.load(killed.resolve("model.safetensors")).parameters();
            assertArrayEquals(expected, actual, optimizer + ": resumed parameters are bit-identical");
        }
        System.out.println("kill points survived: " + kills);
        assertTrue(kills >= 20, "kills " + kills);
    }

    /**
     * Starts the run and SIGKILLs it {@code kills} times, each time at a random moment after it has
     * finished an epoch in this attempt (so the kill lands in training, not in JVM start-up),
     * resuming each time; then lets it finish. Returns the kills made.
     */
    private int runUntilDoneKillingAtRandom(List<String> args, Path out, int kills, SplittableRandom random) throws Exception {
        Path log = dir.resolve(out.getFileName() + ".log");
        for (int made = 0; ; made++) {
            boolean resumable = !TrainingCheckpoint.list(out.resolve("checkpoints")).isEmpty();
            List<String> command = resumable ? List.of("train", "--resume", out.resolve("checkpoints").toString())
                    : withOut(args, out);
            long logged = Files.exists(log) ? Files.size(log) : 0;
            Process p = JavaProcess.start(dir, log, Main.class, command.toArray(String[]::new));
            if (made == kills) {
                assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the last attempt finishes");
                assertEquals(0, p.exitValue(), Files.readString(log));
                return made;
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!sinceStart(log, logged).matches("(?s).*\\nepoch +\\d+/.*")) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "the run trains: " + Files.readString(log));
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(300));
            p.destroyForcibly().waitFor();        // SIGKILL
        }
    }

    /** What the log gained since byte {@code from}. */
    private static String sinceStart(Path log, long from) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) from, all.length - (int) from, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void killingAWriterMidSaveAlwaysLeavesTheNewestCheckpointWhole() throws Exception {
        Path folder = dir.resolve("stress");
        Path log = dir.resolve("stress.log");
        SplittableRandom random = new SplittableRandom(7);
        int verified = 0, next = 1;
        for (int kill = 0; kill < 100; kill++) {
            Process p = JavaProcess.start(dir, log, CheckpointStress.class, folder.toString(), Integer.toString(next));
            while (!Files.readString(log).contains("saving")) {
                assertTrue(p.isAlive(), Files.readString(log));
                Thread.sleep(5);
            }
            Files.writeString(log, "");
            Thread.sleep(random.nextInt(60));
            p.destroyForcibly().waitFor();
            List<Path> files = TrainingCheckpoint.list(folder);
            assertFalse(files.isEmpty());
            for (Path f : files) {
                TrainingCheckpoint.Saved s = TrainingCheckpoint.load(f);
                int n = s.progress().epoch();
                assertEquals(n, s.optimizer().steps(), f + " claims step " + n);
                for (float v : s.parameters()) assertEquals(n, v, f + " holds the parameters it claims");
                for (float v : s.optimizer().first()) assertEquals(-n, v, f + " holds the state it claims");
                verified++;
            }
            next = TrainingCheckpoint.loadLatest(folder).progress().epoch() + 1;
        }
        System.out.println("kills during save survived: 100; checkpoints verified: " + verified);
    }

    @Test
    void ctrlCSavesACheckpointSaysHowToResumeAndExits130() throws Exception {
        stopBySignal("INT", 130);
    }

    /** Schedulers, containers and Spark stop a job with SIGTERM before they kill it: the run must save as for Ctrl-C. */
    @Test
    void sigtermSavesACheckpointLikeCtrlCAndExits143() throws Exception {
        stopBySignal("TERM", 143);
    }

    private void stopBySignal(String signal, int exitCode) throws Exception {
        Path out = dir.resolve("interrupted-" + signal), log = dir.resolve("sig" + signal + ".log");
        List<String> args = new ArrayList<>(List.of(RUN));
        args.set(java.util.Arrays.asList(RUN).indexOf("200"), "500");
        // as bin/downhill starts it: the resume hint names the command the way the user typed it
        Process p = JavaProcess.start(List.of("-Ddownhill.launcher=bin/downhill"), dir, log, Main.class,
                withOut(args, out).toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("epoch   2/500")) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, Files.readString(log));
            Thread.sleep(20);
        }
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "it stops");
        String printed = Files.readString(log);
        assertEquals(exitCode, p.exitValue(), printed);
        assertTrue(printed.contains("resume with: bin/downhill train --resume " + out.resolve("checkpoints")), printed);
        TrainingCheckpoint.Saved saved = TrainingCheckpoint.loadLatest(out.resolve("checkpoints"));
        assertTrue(saved.progress().epoch() >= 2, "stopped after epoch 2: " + saved.progress());
        assertTrue(printed.contains("checkpoint " + saved.file()), printed);
        assertEquals(Main.USER_ERROR, run(List.of("train", "--resume", out.resolve("checkpoints").toString(), "--epochs", "3"), out),
                "--resume refuses other options");
    }

    private int run(List<String> args, Path out) throws Exception {
        Path log = dir.resolve(out.getFileName() + "-run.log");
        Process p = JavaProcess.start(dir, log, Main.class, (args.contains("--resume") ? args : withOut(args, out))
                .toArray(String[]::new));
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        return p.exitValue();
    }

    private static List<String> withOut(List<String> args, Path out) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--out", out.toString()));
        return all;
    }
}
