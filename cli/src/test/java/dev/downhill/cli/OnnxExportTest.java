package dev.downhill.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A model exported with --onnx, run by ONNX Runtime on the raw rows of its data, gives what
 * {@code downhill predict} gives, within 1e-5: softmax, sigmoid and identity outputs, every
 * hidden activation, standardisation folded in.
 */
class OnnxExportTest {
    @TempDir
    Path dir;

    @Test
    void onnxRuntimeAgreesWithPredictForEveryActivationAndOutput() throws Exception {
        Path data = dir.resolve("d.csv");
        StringBuilder csv = new StringBuilder("a,b,c,cls,yes,value\n");
        Random random = new Random(5);
        for (int r = 0; r < 150; r++) {
            double a = 50 + 10 * random.nextGaussian(), b = random.nextGaussian(), c = 1e-3 * random.nextGaussian();
            int cls = a > 55 ? 2 : b > 0 ? 1 : 0;
            csv.append(a).append(',').append(b).append(',').append(c).append(',').append(cls).append(',')
                    .append(b + c * 100 > 0 ? 1 : 0).append(',').append(a * 0.1 + b).append('\n');
        }
        Files.writeString(data, csv);
        double worst = 0;
        worst = Math.max(worst, check(data, "cls", "--loss", "cross-entropy", "--hidden", "8,6", "--activation", "leaky-relu"));
        worst = Math.max(worst, check(data, "yes", "--loss", "bce", "--hidden", "5", "--activation", "tanh"));
        worst = Math.max(worst, check(data, "value", "--hidden", "4", "--activation", "sigmoid"));
        worst = Math.max(worst, check(data, "value", "--hidden", "6", "--activation", "relu", "--no-standardize"));
        System.out.printf("ONNX Runtime vs downhill predict: largest difference %.2e%n", worst);
    }

    /** Trains on {@code target}, exports, and returns the largest difference between ONNX Runtime and predict. */
    private double check(Path data, String target, String... options) throws Exception {
        Path out = dir.resolve(target + options.length + options[options.length - 1]);
        List<String> train = new ArrayList<>(List.of("train", "--data", data.toString(), "--target", target, "--epochs", "30",
                "--optimizer", "adam", "--lr", "0.01", "--features", "a,b,c", "--quiet", "--out", out.toString()));
        train.addAll(List.of(options));
        CliRun trained = CliRun.of(train.toArray(String[]::new));
        assertEquals(0, trained.code(), trained.err());
        Path model = out.resolve("model.safetensors"), onnx = out.resolve("model.onnx"), predictions = out.resolve("p.csv");
        CliRun export = CliRun.of("export", "--model", model.toString(), "--onnx", onnx.toString());
        assertEquals(0, export.code(), export.err());
        CliRun predict = CliRun.of("predict", "--model", model.toString(), "--data", data.toString(), "--output", predictions.toString());
        assertEquals(0, predict.code(), predict.err());

        List<String> lines = Files.readAllLines(predictions);
        List<String> header = List.of(lines.getFirst().split(","));
        int firstPrediction = (int) header.stream().takeWhile(h -> !h.startsWith("pred_")).count();
        int outputs = (int) header.stream().filter(h -> h.startsWith("pred_")).count();
        float[][] rows = new float[lines.size() - 1][3];
        float[][] expected = new float[rows.length][outputs];
        for (int r = 0; r < rows.length; r++) {
            String[] cells = lines.get(r + 1).split(",");
            for (int c = 0; c < 3; c++) rows[r][c] = Float.parseFloat(cells[header.indexOf(List.of("a", "b", "c").get(c))]);
            for (int k = 0; k < outputs; k++) expected[r][k] = Float.parseFloat(cells[firstPrediction + k]);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double worst = 0;
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, rows);
             OrtSession.Result result = session.run(Map.of("input", input))) {
            float[][] actual = (float[][]) result.get("output").orElseThrow().getValue();
            assertEquals(rows.length, actual.length);
            for (int r = 0; r < rows.length; r++) {
                for (int k = 0; k < outputs; k++) {
                    double diff = Math.abs(actual[r][k] - expected[r][k]);
                    worst = Math.max(worst, diff);
                    assertTrue(diff <= 1e-5, target + " row " + r + " output " + k + ": ONNX " + actual[r][k] + ", predict " + expected[r][k]);
                }
            }
        }
        return worst;
    }
}
