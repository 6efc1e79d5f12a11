package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The {@code downhill} command end to end, in-process. */
class CliTest {
    private static final Path SEED_CSV = CliRun.SEED_CSV;

    @TempDir
    Path dir;

    @Test
    void trainingTheSeedExampleLowersTheLossAndPredictUsesItsCheckpoint() throws IOException {
        CliRun train = CliRun.of("train", "--out", dir.toString(), "--epochs", "20");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("backend cpu (auto)"), train.out());
        List<Double> packageLosses = epochLosses(train.out().substring(0, train.out().indexOf("== placement-placed")));
        assertEquals(20, packageLosses.size());
        assertTrue(packageLosses.getLast() < packageLosses.getFirst() / 4, "loss falls: " + packageLosses);
        assertTrue(train.out().contains("learned parameters:\n  0.weight [2, 2] = "), train.out());
        for (String run : List.of("placement-package", "placement-placed")) {
            assertTrue(Files.size(dir.resolve(run).resolve("model.safetensors")) > 36);
            byte[] png = Files.readAllBytes(dir.resolve(run).resolve("loss.png"));
            assertEquals((byte) 0x89, png[0]);
            assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII));
        }

        Path predictions = dir.resolve("pred.csv");
        CliRun predict = CliRun.of("predict", "--model", dir.resolve("placement-package/model.safetensors").toString(),
                "--data", SEED_CSV.toString(), "--output", predictions.toString(), "--backend", "cpu");
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = Files.readAllLines(predictions);
        assertEquals("cgpa,profile_score,pred_package_lpa", lines.getFirst());
        List<String> truth = Files.readAllLines(SEED_CSV);
        assertEquals(truth.size(), lines.size(), "one prediction per row");
        double error = 0;
        for (int i = 1; i < lines.size(); i++) {
            error += Math.abs(Double.parseDouble(lines.get(i).split(",")[2]) - Double.parseDouble(truth.get(i).split(",")[2]));
        }
        assertTrue(error / (lines.size() - 1) < 0.6, "mean absolute error " + error / (lines.size() - 1) + " lakh");

        // every run lists its layers, as Keras's model.summary(); downhill summary lists a saved model's, and its training
        String table = "layer  type    in -> out     activation   parameters\n"
                + "0      Linear  2 -> 2        sigmoid               6\n"
                + "2      Linear  2 -> 1        identity              3\n"
                + "total                                              9\n";
        assertTrue(train.out().contains(table), train.out());
        CliRun summary = CliRun.of("summary", dir.resolve("placement-package/model.safetensors").toString());
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains(table), summary.out());
        for (String line : List.of("features  cgpa, profile_score", "targets   package_lpa", "standardised  yes: mean ",
                "optimiser  sgd(lr=", "epochs trained  20", "final loss  ")) {
            assertTrue(summary.out().contains("\n" + line), line + " in:\n" + summary.out());
        }
    }

    @Test
    void aCsvRunWithCrossEntropyOnAClassColumn() throws IOException {
        Path csv = twoFeatureCsv("classes.csv", "label", 90, 1, (a, b, noise) -> a > 0.5 ? (b > 0.5 ? 2 : 1) : 0);
        CliRun r = CliRun.of("train", "--data", csv.toString(), "--target", "label", "--loss", "cross-entropy", "--hidden", "16",
                "--optimizer", "adam", "--lr", "0.02", "--epochs", "60", "--batch", "8", "--out", dir.resolve("ce").toString());
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("validation accuracy ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) >= 0.8, r.out());

        // predict names each row's class, the most probable one, beside the probabilities or alone
        Path model = dir.resolve("ce/model.safetensors"), both = dir.resolve("both.csv"), alone = dir.resolve("alone.csv");
        assertEquals(0, CliRun.of("predict", "--model", model.toString(), "--data", csv.toString(), "--output", both.toString()).code());
        assertEquals(0, CliRun.of("predict", "--model", model.toString(), "--data", csv.toString(), "--output", alone.toString(),
                "--probabilities", "false").code());
        List<String> withProbabilities = Files.readAllLines(both), classesAlone = Files.readAllLines(alone);
        assertEquals("a,b,pred_label=0,pred_label=1,pred_label=2,label", withProbabilities.getFirst());
        assertEquals("a,b,label", classesAlone.getFirst());
        int agreeWithTruth = 0;
        List<String> truth = Files.readAllLines(csv);
        for (int row = 1; row < withProbabilities.size(); row++) {
            String[] cells = withProbabilities.get(row).split(",");
            float[] p = {Float.parseFloat(cells[2]), Float.parseFloat(cells[3]), Float.parseFloat(cells[4])};
            int argMax = p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0);
            assertEquals(String.valueOf(argMax), cells[5], "row " + row + ": the most probable class");
            assertEquals(cells[0] + "," + cells[1] + "," + cells[5], classesAlone.get(row));
            if (truth.get(row).endsWith("," + cells[5])) agreeWithTruth++;
        }
        assertTrue(agreeWithTruth >= 0.8 * 90, agreeWithTruth + " of 90 rows predicted right");
    }

    @Test
    void aBceModelPredictsZeroOrOneAtAThresholdOfOneHalfAndARegressionHasNoClasses() throws IOException {
        Path model = dir.resolve("placed");
        assertEquals(0, CliRun.of("train", "--data", SEED_CSV.toString(), "--target", "placed", "--loss", "bce", "--epochs", "5",
                "--out", model.toString()).code());
        Path out = dir.resolve("placed.csv");
        CliRun predict = CliRun.of("predict", "--model", model.resolve("model.safetensors").toString(), "--data", SEED_CSV.toString(),
                "--output", out.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.getFirst().endsWith(",pred_placed,label"), lines.getFirst());
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            float p = Float.parseFloat(cells[cells.length - 2]);
            assertEquals(p >= 0.5f ? "1" : "0", cells[cells.length - 1], line);
        }
        Path regression = dir.resolve("lpa");
        assertEquals(0, CliRun.of("train", "--epochs", "1", "--out", regression.toString()).code());
        DataSafetyTest.assertOneLineError(CliRun.of("predict", "--model", regression.resolve("placement-package/model.safetensors").toString(),
                "--data", SEED_CSV.toString(), "--probabilities", "false"), "is a regression (loss mse), whose outputs are its predictions");
    }

    /** Keras's EarlyStopping(restore_best_weights=True): the saved model is the best epoch's, bit for bit, and the output names it. */
    @Test
    void earlyStoppingSavesTheBestEpochsModelAndSaysWhich() throws IOException {
        Path csv = twoFeatureCsv("noisy.csv", "y", 200, 3, (a, b, noise) -> 2 * a - b + 0.5 * (noise - 0.5));
        List<String> common = List.of("train", "--data", csv.toString(), "--target", "y", "--hidden", "32,32", "--optimizer", "adam",
                "--lr", "0.02", "--batch", "16", "--backend", "cpu");
        List<String> early = new java.util.ArrayList<>(common);
        early.addAll(List.of("--epochs", "300", "--early-stopping", "5", "--out", dir.resolve("early").toString()));
        CliRun r = CliRun.of(early.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("stopped early: .*restored the parameters of epoch (\\d+), the best").matcher(r.out());
        assertTrue(m.find(), r.out());
        int best = Integer.parseInt(m.group(1));
        List<String> history = Files.readAllLines(dir.resolve("early/loss.csv"));
        assertEquals(best + 5, history.size() - 1, "five epochs after the best, then it stopped");
        double bestLoss = Double.parseDouble(history.get(best).split(",")[2]);
        for (String line : history.subList(1, history.size())) assertTrue(Double.parseDouble(line.split(",")[2]) >= bestLoss, line);

        List<String> upToBest = new java.util.ArrayList<>(common);
        upToBest.addAll(List.of("--epochs", String.valueOf(best), "--out", dir.resolve("upto").toString()));
        assertEquals(0, CliRun.of(upToBest.toArray(String[]::new)).code());
        assertArrayEquals(dev.downhill.checkpoint.Checkpoint.load(dir.resolve("upto/model.safetensors")).parameters(),
                dev.downhill.checkpoint.Checkpoint.load(dir.resolve("early/model.safetensors")).parameters(),
                "the saved model is the one a run of " + best + " epochs ends with");

        DataSafetyTest.assertOneLineError(CliRun.of(train(csv, "--early-stopping", "3", "--validation", "0")),
                "no rows are held out for validation (--validation FRACTION holds some out)");
        DataSafetyTest.assertOneLineError(CliRun.of(train(csv, "--min-delta", "0.1")), "give --early-stopping too");
        DataSafetyTest.assertOneLineError(CliRun.of(train(csv, "--early-stopping", "3", "--tolerance", "0.1")),
                "choose one stopping rule: --tolerance, --grad-tolerance or --early-stopping");
    }

    /** A target of two uniform features a, b and a uniform noise draw. */
    private interface Target {
        double of(double a, double b, double noise);
    }

    /** A CSV of columns a, b and {@code target} over {@code rows} seeded random rows. */
    private Path twoFeatureCsv(String name, String target, int rows, long seed, Target y) throws IOException {
        StringBuilder s = new StringBuilder("a,b," + target + "\n");
        var random = new java.util.SplittableRandom(seed);
        for (int i = 0; i < rows; i++) {
            double a = random.nextDouble(), b = random.nextDouble(), value = y.of(a, b, random.nextDouble());
            s.append(a).append(',').append(b).append(',').append(value == Math.rint(value) && Math.abs(value) < 1e6
                    ? Long.toString((long) value) : Double.toString(value)).append('\n');
        }
        return Files.writeString(dir.resolve(name), s);
    }

    private String[] train(Path csv, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", csv.toString(), "--target", "y", "--epochs", "2",
                "--out", dir.resolve("mistake").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A script follows a run through --json, one object a line as each epoch ends; --quiet leaves standard output empty. */
    @Test
    @SuppressWarnings("unchecked")
    void jsonLinesFollowEachRunAndQuietPrintsNothing() throws IOException {
        Path log = dir.resolve("runs.jsonl");
        CliRun r = CliRun.of("train", "--epochs", "3", "--out", dir.resolve("q").toString(), "--json", log.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        List<Map<String, Object>> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(log)) lines.add((Map<String, Object>) dev.downhill.io.Json.parse(line));
        assertEquals(8, lines.size(), "3 epochs and an end for each of the seed example's two runs");
        Map<String, Object> first = lines.getFirst(), end = lines.get(3);
        assertEquals(List.of("run", "event", "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "val_mae", "val_rmse", "val_r2", "lr", "seconds"),
                List.copyOf(first.keySet()));
        assertEquals("placement-package", first.get("run"));
        assertEquals("epoch", first.get("event"));
        assertNull(first.get("val_accuracy"), "a regression has no accuracy");
        assertNull(first.get("accuracy"), "a regression has no accuracy");
        double rmse = ((Number) first.get("val_rmse")).doubleValue(), loss = ((Number) first.get("val_loss")).doubleValue();
        assertEquals(Math.sqrt(loss), rmse, 1e-5 * rmse, "RMSE is the root of the validation MSE");
        assertNull(lines.get(4).get("val_r2"), "a classifier has no R²");
        assertEquals("end", end.get("event"));
        assertEquals("reached 3 epochs", end.get("reason"));
        assertEquals(dir.resolve("q/placement-package/model.safetensors").toString(), end.get("model"));
        assertEquals("placement-placed", lines.get(4).get("run"));
        assertTrue(((Number) lines.get(4).get("val_accuracy")).doubleValue() >= 0, "a classifier's accuracy");
        double accuracy = ((Number) lines.get(4).get("accuracy")).doubleValue();
        assertTrue(accuracy >= 0 && accuracy <= 1 && Math.round(accuracy * 80) == accuracy * 80,
                "a classifier's training accuracy is a share of its 80 training rows: " + accuracy);
    }

    @Test
    void categoricalColumnsAreOneHotInTrainingAndPredictionRefusesAnUnknownCategory() throws IOException {
        Path csv = dir.resolve("cat.csv");
        StringBuilder rows = new StringBuilder("size,color,y\n");
        String[] colors = {"red", "blue", "green"};
        for (int r = 0; r < 30; r++) rows.append(r % 7).append(',').append(colors[r % 3]).append(',').append(r % 3 == 0 ? 0 : 1).append('\n');
        Files.writeString(csv, rows);
        Path out = dir.resolve("cat");
        CliRun train = CliRun.of("train", "--data", csv.toString(), "--target", "y", "--loss", "bce", "--categorical", "color",
                "--optimizer", "adam", "--lr", "0.05", "--epochs", "60", "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("size, color=blue, color=green, color=red -> y"), train.out());
        Path later = dir.resolve("later.csv");
        Files.writeString(later, "color,size\nred,1\nblue,2\n");
        Path predictions = dir.resolve("cat-predictions.csv");
        CliRun predict = CliRun.of("predict", "--model", out.resolve("model.safetensors").toString(), "--data", later.toString(),
                "--output", predictions.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = Files.readAllLines(predictions);
        assertEquals("size,color=blue,color=green,color=red,pred_y,label", lines.get(0));
        assertTrue(lines.get(1).startsWith("1.0,0.0,0.0,1.0,") && lines.get(1).endsWith(",0"), "red was always 0: " + lines);
        assertTrue(lines.get(2).startsWith("2.0,1.0,0.0,0.0,") && lines.get(2).endsWith(",1"), "blue was always 1: " + lines);
        Files.writeString(later, "color,size\nred,1\npurple,2\n");
        CliRun unknown = CliRun.of("predict", "--model", out.resolve("model.safetensors").toString(), "--data", later.toString());
        assertEquals(2, unknown.code());
        assertEquals("downhill: error: " + later + ":3:1: column 'color': 'purple' is not one of the categories the model was "
                + "trained with (blue, green, red)", unknown.err().strip());
    }

    @Test
    void clipNormAndDropoutTrainAreSavedAndAreCheckedForRange() throws IOException {
        Path out = dir.resolve("reg");
        CliRun run = CliRun.of("train", "--clip-norm", "0.5", "--dropout", "0.25", "--epochs", "3", "--seed", "4",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        CliRun summary = CliRun.of("summary", out.resolve("placement-package/model.safetensors").toString());
        assertTrue(summary.out().contains("regularisation  dropout 0.25, gradient norm clipped to 0.5"), summary.out());
        CliRun plain = CliRun.of("train", "--epochs", "3", "--seed", "4", "--out", dir.resolve("plain").toString());
        assertNotEquals(Files.readString(out.resolve("placement-package/loss.csv")),
                Files.readString(dir.resolve("plain/placement-package/loss.csv")),
                "dropout and clipping change the run");
        CliRun zero = CliRun.of("train", "--clip-norm", "0", "--out", dir.resolve("clip0").toString());
        assertEquals(2, zero.code());
        assertEquals("downhill: error: --clip-norm must be a positive number, got 0.0", zero.err().strip());
        CliRun one = CliRun.of("train", "--dropout", "1", "--out", dir.resolve("drop1").toString());
        assertEquals(2, one.code());
        assertEquals("downhill: error: --dropout must be a probability in [0, 1), got 1.0", one.err().strip());
        CliRun explain = CliRun.of("explain", "--clip-norm", "1", "--page", dir.resolve("e.html").toString());
        assertEquals(2, explain.code());
        assertTrue(explain.err().contains("explain shows one step of one row as the chain rule gives it, unclipped"), explain.err());
        CliRun explainDropout = CliRun.of("explain", "--dropout", "0.5", "--page", dir.resolve("e.html").toString());
        assertEquals(2, explainDropout.code());
        assertTrue(explainDropout.err().contains("every unit kept; drop --dropout"), explainDropout.err());
    }

    @Test
    void devicesListsTheCpu() {
        CliRun r = CliRun.of("devices");
        assertEquals(0, r.code());
        assertTrue(r.out().matches("(?s).*cpu +available .*auto picks: \\w+.*"), r.out());
    }

    @Test
    void userMistakesGetOneLineAndExitCodeTwo() throws IOException {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "a,b,y\n1,2,3\n4,5\n");
        Path model = dir.resolve("m");
        assertEquals(0, CliRun.of("train", "--epochs", "1", "--out", model.toString()).code());
        String[][] cases = {
                {"train", "--data", dir.resolve("missing.csv").toString(), "--target", "y"},
                {"train", "--data", ragged.toString(), "--target", "y"},
                {"train", "--data", SEED_CSV.toString(), "--target", "salary"},
                {"train", "--data", SEED_CSV.toString(), "--target", "placed", "--lr", "-0.5"},
                {"train", "--data", SEED_CSV.toString(), "--target", "placed", "--features", "cgpa", "--hidden", "2",
                        "--activation", "sigmoid", "--init", model.resolve("placement-package/model.safetensors").toString()},
                {"train", "--data", SEED_CSV.toString(), "--target", "package_lpa", "--lr", "1e9", "--epochs", "5"},
                {"train", "--epochs", "many"},
                {"predict", "--model", ragged.toString(), "--data", SEED_CSV.toString()},
                {"train", "--backend", "tpu", "--epochs", "1"},
        };
        String[] expected = {"no such file", "ragged.csv:3: has 2 cells, the header has 3", "unknown target column 'salary'",
                "learning rate must be a positive number", "has shape [2, 2], network 1-2-1 needs [2, 1]",
                "loss became NaN or infinite at epoch 1", "'many' is not an int", "not a valid safetensors checkpoint",
                "unknown backend 'tpu'"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
            assertTrue(r.err().startsWith("downhill: error: ") && r.err().contains(expected[i]), r.err());
        }
    }

    private static List<Double> epochLosses(String out) {
        Matcher m = Pattern.compile("epoch +\\d+/\\d+ +loss ([0-9.]+)").matcher(out);
        List<Double> losses = new java.util.ArrayList<>();
        while (m.find()) losses.add(Double.parseDouble(m.group(1)));
        return losses;
    }
}
