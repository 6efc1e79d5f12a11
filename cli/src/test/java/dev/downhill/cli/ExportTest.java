package dev.downhill.cli;

import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** An exported model takes raw features and predicts what the standardised model predicts. */
class ExportTest {
    @TempDir
    Path dir;

    @Test
    void theStandardisationFoldsIntoTheFirstLayerByHand() {
        // y = 2·(x1 − 1)/2 + 3·(x2 − 2)/4 + 1 = 1·x1 + 0.75·x2 − 1.5
        Network net = Network.builder(2).dense(1, Activation.IDENTITY).loss(Loss.MSE).build();
        Path model = dir.resolve("m.safetensors"), exported = dir.resolve("raw.safetensors");
        Checkpoint.save(model, net, new float[] {2, 3, 1}, Map.of(PredictCommand.MEAN, "1.0,2.0", PredictCommand.STD, "2.0,4.0"));
        CliRun r = CliRun.of("export", "--model", model.toString(), "--output", exported.toString());
        assertEquals(0, r.code(), r.err());
        Checkpoint back = Checkpoint.load(exported);
        assertArrayEquals(new float[] {1, 0.75f, -1.5f}, back.parameters());
        assertFalse(back.metadata().containsKey(PredictCommand.MEAN), "the statistics are folded, not kept");
    }

    @Test
    void aTrainedModelPredictsTheSameFromRawFeatures() throws Exception {
        Path out = dir.resolve("run"), exported = dir.resolve("raw.safetensors");
        assertEquals(0, CliRun.of("train", "--data", CliRun.SEED_CSV.toString(), "--target", "package_lpa", "--features",
                "cgpa,profile_score", "--hidden", "4", "--activation", "tanh", "--epochs", "5", "--out", out.toString()).code());
        Path model = out.resolve("model.safetensors");
        assertEquals(0, CliRun.of("export", "--model", model.toString(), "--output", exported.toString()).code());
        Path standardised = dir.resolve("a.csv"), raw = dir.resolve("b.csv");
        assertEquals(0, CliRun.of("predict", "--model", model.toString(), "--data", CliRun.SEED_CSV.toString(), "--output",
                standardised.toString()).code());
        assertEquals(0, CliRun.of("predict", "--model", exported.toString(), "--data", CliRun.SEED_CSV.toString(), "--output",
                raw.toString()).code());
        List<String> a = Files.readAllLines(standardised), b = Files.readAllLines(raw);
        assertEquals(a.size(), b.size());
        for (int i = 1; i < a.size(); i++) {
            double expected = Double.parseDouble(a.get(i).split(",")[2]), actual = Double.parseDouble(b.get(i).split(",")[2]);
            assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), "row " + i);
        }
    }

    @Test
    void exportRefusesToOverwriteItsModel() {
        Network net = Network.builder(1).dense(1, Activation.IDENTITY).loss(Loss.MSE).build();
        Path model = dir.resolve("m.safetensors");
        Checkpoint.save(model, net, new float[] {1, 0}, Map.of());
        DataSafetyTest.assertOneLineError(CliRun.of("export", "--model", model.toString(), "--output", model.toString()),
                "--output is the model it exports");
    }
}
