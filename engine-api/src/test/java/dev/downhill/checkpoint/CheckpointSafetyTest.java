package dev.downhill.checkpoint;

import dev.downhill.InputException;
import dev.downhill.backend.OptimizerState;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.train.EpochReport;
import dev.downhill.train.TrainingProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Every checkpoint Downhill writes loads again; no checkpoint it loads carries NaN into a model. */
class CheckpointSafetyTest {
    @TempDir
    Path dir;

    private final Network net = Network.builder(2).dense(3, Activation.RELU).dense(1, Activation.IDENTITY)
            .loss(Loss.MSE).seed(3).build();

    private Path save(Path folder, int epoch, List<EpochReport> history) {
        float[] p = net.initialParameters();
        return TrainingCheckpoint.save(folder, 3, net, p, OptimizerState.fresh(p.length),
                new TrainingProgress(epoch, 0, 0, 0, history), Map.of());
    }

    @Test
    void aHistoryOfAMillionEpochsLoadsBackExactly() {
        List<EpochReport> history = new ArrayList<>();
        for (int e = 1; e <= 1_000_000; e++) {
            history.add(new EpochReport(e, 1.0 / e, e % 2 == 0 ? Double.NaN : 0.1 * e, 0.5, 0.01f * e, Double.NaN, 1234567L * e));
        }
        Path file = save(dir, 1_000_000, history);
        TrainingCheckpoint.Saved back = TrainingCheckpoint.load(file);
        assertEquals(history, back.progress().history());
    }

    /** Early stopping's best parameters so far travel with a training checkpoint, checked as the parameters are. */
    @Test
    void theBestEpochsParametersLoadBackAndAreChecked() {
        float[] p = net.initialParameters(), best = p.clone();
        best[2] = 42f;
        Path file = TrainingCheckpoint.save(dir.resolve("b"), 1, net, p, OptimizerState.fresh(p.length),
                new TrainingProgress(3, 0, 0, 0, List.of(), best), Map.of());
        assertArrayEquals(best, TrainingCheckpoint.load(file).progress().best());
        assertNull(TrainingCheckpoint.load(save(dir.resolve("n"), 1, List.of())).progress().best(), "none without early stopping");
        best[4] = Float.NaN;
        Path bad = TrainingCheckpoint.save(dir.resolve("nan"), 1, net, p, OptimizerState.fresh(p.length),
                new TrainingProgress(3, 0, 0, 0, List.of(), best), Map.of());
        assertEquals(bad + ": tensor 'progress.best' holds NaN at flat index 4 (a checkpoint of a run that diverged?)",
                assertThrows(InputException.class, () -> TrainingCheckpoint.load(bad)).getMessage());
    }

    @Test
    void aHeaderOverTheReadersLimitIsRefusedWhenWritingNotWhenReading() {
        Path file = dir.resolve("m.safetensors");
        Map<String, String> huge = Map.of("note", "x".repeat((int) SafeTensors.MAX_HEADER_BYTES));
        InputException e = assertThrows(InputException.class, () -> Checkpoint.save(file, net, net.initialParameters(), huge));
        assertTrue(e.getMessage().contains("a reader accepts"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void nonFiniteParametersAndOptimizerStateAreRefusedByName() {
        float[] p = net.initialParameters();
        p[7] = Float.NaN;   // after 0.weight [3, 2]: 0.bias[1]
        Path file = dir.resolve("nan.safetensors");
        Checkpoint.save(file, net, p, Map.of());
        assertEquals(file + ": tensor '0.bias' holds NaN at flat index 1 (a checkpoint of a run that diverged?)",
                assertThrows(InputException.class, () -> Checkpoint.load(file)).getMessage());
        assertThrows(InputException.class, () -> Checkpoint.loadParameters(file, net), "--init refuses it too");

        float[] fine = net.initialParameters();
        float[] second = new float[fine.length];
        second[0] = Float.POSITIVE_INFINITY;
        Path training = TrainingCheckpoint.save(dir.resolve("t"), 1, net, fine, new OptimizerState(1, new float[fine.length], second),
                new TrainingProgress(1, 0, 0, 0, List.of()), Map.of());
        assertEquals(training + ": tensor 'optimizer.second' holds Infinity at flat index 0 (a checkpoint of a run that diverged?)",
                assertThrows(InputException.class, () -> TrainingCheckpoint.load(training)).getMessage());
    }

    @Test
    void resumingPassesOverADamagedNewestCheckpointAndSaysSo() throws IOException {
        Path older = save(dir, 1, List.of());
        Path newest = save(dir, 2, List.of());
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        List<String> said = new ArrayList<>();
        TrainingCheckpoint.Saved s = TrainingCheckpoint.loadLatestIntact(dir, said::add);
        assertEquals(older, s.file());
        assertEquals(1, said.size());
        assertTrue(said.getFirst().startsWith("skipping a damaged checkpoint: " + newest), said.getFirst());

        Files.write(older, new byte[3]);
        InputException e = assertThrows(InputException.class, () -> TrainingCheckpoint.loadLatestIntact(dir, x -> { }));
        assertTrue(e.getMessage().startsWith(dir + ": none of its 2 checkpoints loads; the newest: " + newest), e.getMessage());
    }

    @Test
    void float64TensorsRoundTripBesideFloat32Ones() {
        Path file = dir.resolve("mixed.safetensors");
        SafeTensors.write(file, Map.of("a", new SafeTensors.Tensor(new int[] {2}, new float[] {1.5f, -0f})),
                Map.of("h", new SafeTensors.Float64Tensor(new int[] {1, 3}, new double[] {Math.PI, Double.NaN, 1e300})),
                Map.of("k", "ü"));
        SafeTensors.Contents c = SafeTensors.read(file);
        assertArrayEquals(new float[] {1.5f, -0f}, c.tensors().get("a").data());
        assertArrayEquals(new double[] {Math.PI, Double.NaN, 1e300}, c.float64().get("h").data());
        assertEquals("ü", c.metadata().get("k"));
    }
}
