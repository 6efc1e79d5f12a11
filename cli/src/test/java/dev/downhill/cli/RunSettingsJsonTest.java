package dev.downhill.cli;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The settings a training checkpoint keeps come back as the run resolved them, every component of them. */
class RunSettingsJsonTest {
    @TempDir
    Path dir;

    @Test
    void everyKindOfRunComesBackEqual() {
        List<RunSettings> runs = new ArrayList<>();
        runs.addAll(settings());                                          // the seed example's two runs
        runs.addAll(settings("--workload", "tcnn", "--rows", "64", "--hidden", "8,8", "--activation", "tanh",
                "--optimizer", "rmsprop", "--momentum", "0.5", "--schedule", "exp:0.9", "--grad-tolerance", "1e-3",
                "--backend", "cpu", "--math", "tf32", "--no-shuffle"));
        runs.addAll(settings("--data", dir.resolve("d.csv").toString(), "--target", "label", "--loss", "cross-entropy",
                "--classes", "4", "--features", "a,b", "--categorical", "b", "--hidden", "5,3", "--activation", "leaky-relu", "--initializer", "he",
                "--init", dir.resolve("start.safetensors").toString(), "--optimizer", "adamw", "--lr", "3e-4",
                "--weight-decay", "0.05", "--beta1", "0.8", "--schedule", "cosine:2:1e-5", "--epochs", "7", "--batch", "9",
                "--seed", "123", "--early-stopping", "3", "--min-delta", "1e-4", "--validation", "0.3", "--no-standardize",
                "--checkpoint-every", "2", "--keep", "5", "--report", dir.resolve("report").toString(),
                "--json", dir.resolve("log.jsonl").toString(), "--quiet", "--drop-bad-rows", "--out", dir.resolve("out").toString()));
        runs.addAll(settings("--data", dir.resolve("e.csv").toString(), "--target", "y", "--optimizer", "sgd",
                "--momentum", "0.9", "--nesterov", "--clip-norm", "0.25", "--dropout", "0.3", "--tolerance", "1e-6", "--patience", "4", "--schedule", "step:3:0.5",
                "--out", dir.resolve("out2").toString()));
        for (RunSettings run : runs) {
            RunSettings absolute = absolute(run);
            String text = RunSettingsJson.write(run);
            assertEquals(absolute, RunSettingsJson.read(Map.of(RunSettingsJson.KEY, text), dir), text);
        }
    }

    @Test
    void relativePathsAreSavedAbsolute() {
        RunSettings run = settings("--data", "in.csv", "--target", "y", "--out", "out").getFirst();
        RunSettings read = RunSettingsJson.read(Map.of(RunSettingsJson.KEY, RunSettingsJson.write(run)), dir);
        assertEquals(Path.of("in.csv").toAbsolutePath(), read.data().file());
        assertEquals(Path.of("out").toAbsolutePath(), read.output().folder());
    }

    @Test
    void damagedOrMissingSettingsAreOneLineErrors() {
        String text = RunSettingsJson.write(settings().getFirst());
        Path file = dir.resolve("e000003.safetensors");
        assertMessage(file + ": holds no run settings (downhill.settings)", Map.of());
        assertMessage(file + ": the run settings in downhill.settings are unreadable (version 3, this Downhill reads 1 to 2)",
                Map.of(RunSettingsJson.KEY, text.replace("\"version\":2", "\"version\":3")));
        assertMessage(file + ": the run settings in downhill.settings are unreadable (RunSettings has no 'seed')",
                Map.of(RunSettingsJson.KEY, text.replace("\"seed\":", "\"sead\":")));
        assertMessage(file + ": the run settings in downhill.settings are unreadable (no Optimizer of kind 'Lion')",
                Map.of(RunSettingsJson.KEY, text.replace("\"kind\":\"Sgd\"", "\"kind\":\"Lion\"")));
        assertMessage(file + ": the run settings in downhill.settings are unreadable (epochs must be at least 1, got 0)",
                Map.of(RunSettingsJson.KEY, text.replace("\"epochs\":50", "\"epochs\":0")));
    }

    /** Version 1, before --dropout, reads as a run without dropout; the same text as version 2 is refused for its missing field. */
    @Test
    void versionOneReadsAsARunWithoutDropout() {
        RunSettings run = settings("--data", dir.resolve("e.csv").toString(), "--target", "y", "--clip-norm", "0.5").getFirst();
        String v1 = RunSettingsJson.write(run).replace("\"version\":2", "\"version\":1").replace(",\"dropout\":0.0", "");
        assertFalse(v1.contains("dropout"), v1);
        assertEquals(absolute(run), RunSettingsJson.read(Map.of(RunSettingsJson.KEY, v1), dir));
        assertMessage(dir.resolve("e000003.safetensors") + ": the run settings in downhill.settings are unreadable "
                + "(TrainingSpec has no 'dropout')", Map.of(RunSettingsJson.KEY, v1.replace("\"version\":1", "\"version\":2")));
    }

    private void assertMessage(String start, Map<String, String> metadata) {
        InputException e = assertThrows(InputException.class, () -> RunSettingsJson.read(metadata, dir.resolve("e000003.safetensors")));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static List<RunSettings> settings(String... args) {
        TrainCommand train = new TrainCommand();
        new picocli.CommandLine(train).parseArgs(args);
        return train.runs();
    }

    /** The settings with their paths absolute, as they are saved. */
    private static RunSettings absolute(RunSettings s) {
        var d = s.data();
        var n = s.network();
        var o = s.output();
        return new RunSettings(s.name(), s.seed(),
                new RunSettings.DataSpec(abs(d.file()), d.workload(), d.rows(), d.targets(), d.features(), d.encoding(),
                        d.classes(), d.validation(), d.standardize(), d.dropBadRows(), d.categorical()),
                new RunSettings.NetworkSpec(n.hidden(), n.output(), n.loss(), n.initializer(), abs(n.init())),
                s.training(),
                new RunSettings.OutputSpec(abs(o.folder()), o.checkpointEvery(), o.keep(), abs(o.report()), abs(o.json()), o.quiet()));
    }

    private static Path abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize();
    }
}
