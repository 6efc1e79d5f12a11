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

import static dev.downhill.cli.DataSafetyTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.*;

/** The user mistakes an adversarial session found answered with stack traces or silence, each now a sentence. */
class ReportedMistakesTest {
    private static final String SEED = CliRun.SEED_CSV.toString();

    @TempDir
    Path dir;

    private String[] train(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", SEED, "--target", "package_lpa",
                "--epochs", "1", "--out", dir.resolve("t").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** The library names the problem and a way past it; the command line offers that way as its flag. */
    @Test
    void aWayPastAProblemIsOfferedAsTheFlagThatTakesIt() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "x,y\n1,0\nA,1\nB,1\n2,5000\n");
        CliRun r = CliRun.of("train", "--data", bad.toString(), "--target", "y", "--loss", "cross-entropy", "--epochs", "1",
                "--out", dir.resolve("t").toString());
        assertEquals(Main.USER_ERROR, r.code(), r.err());
        assertTrue(r.err().startsWith("downhill: error: " + bad + ": 3 problems in 3 rows "
                + "(--drop-bad-rows drops those rows instead; give --classes for more):\n"), r.err());
        Path foreign = dir.resolve("foreign.safetensors");
        dev.downhill.checkpoint.SafeTensors.write(foreign,
                Map.of("w", new dev.downhill.checkpoint.SafeTensors.Tensor(new int[] {1}, new float[] {1f})), Map.of());
        assertOneLineError(CliRun.of("predict", "--model", foreign.toString(), "--data", SEED),
                foreign + ": no Downhill architecture in the metadata (a checkpoint from elsewhere can start training with --init");
    }

    @Test
    void sizesBeyondWhatFitsAreRefusedBeforeAllocating() {
        assertOneLineError(CliRun.of(train("--hidden", "100000,100000")), "more than the 2147483639 one parameter buffer holds");
        assertOneLineError(CliRun.of(train("--hidden", "46000,46000")), "needs ");
        assertOneLineError(CliRun.of(train("--loss", "cross-entropy", "--classes", "2147483647")), "--classes must be between 2 and 65536");
        assertOneLineError(CliRun.of("train", "--workload", "tiny", "--rows", "-5"), "--rows must be at least 1, got -5");
        assertOneLineError(CliRun.of("bench", "--workload", "tiny", "--backend", "cpu", "--batch", "2147483647",
                "--repeats", "1", "--warmups", "0"), "tiny at batch 2147483647");
    }

    @Test
    void valuesThatWereSilentlyAcceptedAreErrors() {
        assertOneLineError(CliRun.of(train("--validation", "-0.1")), "--validation must be a fraction in [0, 1), got -0.1");
        assertOneLineError(CliRun.of(train("--validation", "NaN")), "--validation must be a fraction in [0, 1), got NaN");
        assertOneLineError(CliRun.of(train("--schedule", "step:2:0.5:9")), "schedule 'step:2:0.5:9' has 3 parameters, step takes 2");
        assertOneLineError(CliRun.of(train("--schedule", "constant:5")), "schedule 'constant:5' has 1 parameters, constant takes 0");
        assertOneLineError(CliRun.of(train("--classes", "-5")), "--classes counts the classes of a cross-entropy run");
        assertOneLineError(CliRun.of(train("--loss", "cross-entropy", "--classes", "-5")), "--classes must be between 2 and 65536, got -5");
        assertOneLineError(CliRun.of(train("--classes", "3")), "add --loss cross-entropy");
        assertOneLineError(CliRun.of("train", "--data", SEED, "--target", "package_lpa,package_lpa", "--epochs", "1"),
                "--target names column 'package_lpa' twice");
    }

    @Test
    void explainAndBenchAnswerInOneLine() {
        assertOneLineError(CliRun.of("explain", "--param", "0.weight[99999999999,0]", "--page", dir.resolve("e.html").toString()),
                "0.weight[99999999999,0] is outside 0.weight of shape [2, 2]");
        assertOneLineError(CliRun.of("bench", "--repeats", "0"), "--repeats must be at least 1, got 0");
        assertOneLineError(CliRun.of("bench", "--warmups", "-1"), "--warmups must be >= 0, got -1");
        assertOneLineError(CliRun.of("bench", "--batch", "0"), "--batch must be at least 1, got 0");
        assertOneLineError(CliRun.of("bench", "--json", "/proc/downhill.json"), "/proc/downhill.json: cannot write the results");
        assertOneLineError(CliRun.of("sweep-lr", "--plot", "/proc/downhill/p.png"), "/proc/downhill/p.png: cannot write the plot");
    }

    @Test
    void manyClassesTrainAndTheReportLeavesOutTheirConfusionMatrix() throws IOException {
        Path data = dir.resolve("labels.csv");
        StringBuilder s = new StringBuilder("x,label\n");
        for (int i = 0; i < 40; i++) s.append(i).append(',').append(i * 1000).append('\n');
        Files.writeString(data, s);
        CliRun r = CliRun.of("train", "--data", data.toString(), "--target", "label", "--loss", "cross-entropy",
                "--classes", "50000", "--hidden", "0", "--epochs", "1", "--out", dir.resolve("many").toString(),
                "--report", dir.resolve("report").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(dir.resolve("report/report.html")).contains("left out: 50000 classes"));
    }

    @Test
    void craftedModelMetadataIsAnsweredInOneLine() {
        Path out = dir.resolve("m");
        assertEquals(0, CliRun.of("train", "--data", SEED, "--target", "package_lpa", "--features", "cgpa,profile_score",
                "--epochs", "1", "--out", out.toString()).code());
        Checkpoint c = Checkpoint.load(out.resolve("model.safetensors"));
        String[][] crafted = {   // key, value, what the error says
                {"downhill.layers", "100000:relu,100000:relu,1:identity", "more than the 2147483639"},
                {"downhill.layers", "45000:relu,45000:relu,1:identity", "has shape"},
                {PredictCommand.MEAN, "0,0,0", "hold 3 means and 2 standard deviations"},
                {"downhill.features", "[\"cgpa\"]", "names 1 columns, the network has 2"}};
        for (int i = 0; i < crafted.length; i++) {
            Map<String, String> meta = new LinkedHashMap<>(c.metadata());
            meta.put(crafted[i][0], crafted[i][1]);
            Path edited = dir.resolve("crafted-" + i + ".safetensors");
            Checkpoint.save(edited, c.network(), c.parameters(), meta);
            assertOneLineError(CliRun.of("predict", "--model", edited.toString(), "--data", SEED), crafted[i][2]);
        }
    }
}
