package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.BackendOptions;
import dev.downhill.cpu.CpuBackend;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.testing.ReferenceMlp;
import dev.downhill.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The explainer, the learning-rate sweep and the run report: their numbers are the engine's, checked against a gradient check. */
class PagesTest {
    @TempDir
    Path dir;

    @Test
    void theStepPageShowsTheEnginesGradientsAndUpdatesForEachLoss() throws Exception {
        for (String run : List.of("placement-package", "placement-placed")) {
            Path page = dir.resolve(run + ".html");
            assertEquals(0, Main.run("explain", "--run", run, "--row", "3", "--page", page.toString()));
            Map<String, Object> d = data(page);
            List<Map<String, Object>> layers = list(d.get("layers"));
            Network net = Network.builder(2).dense(2, Activation.SIGMOID)
                    .dense(1, run.endsWith("placed") ? Activation.SIGMOID : Activation.IDENTITY)
                    .loss(run.endsWith("placed") ? Loss.BCE : Loss.MSE).build();
            double[] theta = concat(layers, "W", "b");
            float[] x = floats(d.get("x")), y = floats(d.get("y"));
            double[] numeric = ReferenceMlp.numericGradient(net, theta, x, y, 1);
            Tensors.assertClose(run + " ∂L/∂θ shown", numeric, toFloat(concat(layers, "dW", "dB")), 1e-5, 1e-3);
            assertEquals(ReferenceMlp.loss(net, theta, x, y, 1), ((Number) d.get("lossValue")).doubleValue(), 1e-5, "loss shown");
            double rate = ((Number) d.get("rate")).doubleValue();
            double[] after = concat(layers, "W2", "b2"), grad = concat(layers, "dW", "dB");
            for (int i = 0; i < theta.length; i++) {
                assertEquals(theta[i] - rate * grad[i], after[i], 1e-6, "update of parameter " + i + ": w − η·∂L/∂w");
            }
            double[] chain = chainRule(layers, x);
            Tensors.assertClose(run + " hidden ∂L/∂w as the product of its factors", Arrays.copyOf(numeric, 4),
                    toFloat(chain), 1e-5, 1e-3);
        }
    }

    /** ∂L/∂w of the hidden layer recomputed in the page's own terms: ∂L/∂a × act'(z) × a_in, from the factors shown. */
    private static double[] chainRule(List<Map<String, Object>> layers, float[] x) {
        double[] dA = doubles(layers.get(0).get("dA")), slope = doubles(layers.get(0).get("slope"));
        double[] out = new double[4];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) out[i * 2 + j] = dA[i] * slope[i] * x[j];
        return out;
    }

    @Test
    void theLandscapePageShowsTheSlopeOfItsOwnCurveAndItsValley() throws Exception {
        Path page = dir.resolve("landscape.html");
        assertEquals(0, Main.run("explain", "--param", "2.bias", "--epochs", "5", "--page", page.toString()));
        Map<String, Object> d = data(page);
        List<List<Number>> curve = list(d.get("curve"));
        double value = ((Number) d.get("value")).doubleValue(), gradient = ((Number) d.get("gradient")).doubleValue();
        int near = 60;
        double h = curve.get(near + 1).get(0).doubleValue() - curve.get(near - 1).get(0).doubleValue();
        double slope = (curve.get(near + 1).get(1).doubleValue() - curve.get(near - 1).get(1).doubleValue()) / h;
        assertEquals(value, curve.get(near).get(0).doubleValue(), 1e-6, "the curve is centred on the current value");
        assertEquals(gradient, slope, 1e-2 * Math.abs(gradient), "the derivative shown is the curve's slope there");
        int lowest = 0;
        for (int i = 1; i < curve.size(); i++) if (curve.get(i).get(1).doubleValue() < curve.get(lowest).get(1).doubleValue()) lowest = i;
        assertTrue(lowest > 0 && lowest < curve.size() - 1, "the valley is inside the window");
        assertEquals(6, list(d.get("path")).size(), "the start and five epochs");
        assertTrue(Math.signum(((Number) d.get("next")).doubleValue() - value) == -Math.signum(gradient), "the step goes against the slope");
    }

    @Test
    void everySweepRunStartsFromTheSameParametersAndDivergedRunsAreReportedAsSuch() throws Exception {
        TrainCommand train = new TrainCommand();
        new picocli.CommandLine(train).parseArgs();      // the defaults, as 'downhill train' would have them
        RunSettings s = train.runs().getFirst();
        TrainingRun.Prepared p = new TrainingRun(s, System.out).prepare();
        List<LrSweep.Run> runs;
        try (CpuBackend cpu = new CpuBackend(BackendOptions.defaults())) {
            runs = LrSweep.sweep(cpu, s, p, List.of(1e-4f, 1e-2f, 1f, 100f));
        }
        for (LrSweep.Run r : runs) assertArrayEquals(p.network().initialParameters(), r.initial(), "lr " + r.rate());
        assertFalse(runs.get(0).diverged());
        assertTrue(runs.get(3).diverged(), "lr 100 diverges");
        assertTrue(runs.get(3).divergedEpoch() >= 1 && runs.get(3).divergedStep() >= 1);
        for (LrSweep.Run r : runs) for (var e : r.history()) assertTrue(Double.isFinite(e.loss()), "only finite losses are kept");
        int fastest = LrSweep.fastest(runs);
        assertEquals(1e-2f, runs.get(fastest).rate(), "of 1e-4 and 1e-2, 1e-2 converges faster");
        Path png = dir.resolve("sweep.png");
        assertEquals(0, Main.run("sweep-lr", "--values", "1e-3,1e-1,1", "--plot", png.toString()));
        assertTrue(Files.readString(dir.resolve("sweep.csv")).startsWith("learning_rate,epoch,loss\n"));
    }

    @Test
    void theReportNamesItsDataScheduleAndBothFinalLosses() throws Exception {
        Path report = dir.resolve("named");
        assertEquals(0, Main.run("train", "--report", report.toString(), "--out", dir.resolve("o").toString(), "--epochs", "6",
                "--schedule", "cosine:2:0"));
        Map<String, Object> d = data(report.resolve("placement-package/report.html"));
        Map<String, Object> settings = cast(d.get("settings")), metrics = cast(d.get("metrics"));
        assertEquals("the seed example (examples/placement.csv, inside downhill.jar)", settings.get("data"));
        assertEquals("cosine:2:0.0", settings.get("learning-rate schedule"));
        assertTrue(metrics.containsKey("final training loss (mean of the last epoch's steps)"), metrics.toString());
        assertTrue(metrics.containsKey("final validation loss"), metrics.toString());
        assertTrue(metrics.containsKey("R² on the validation rows"), metrics.toString());
        double loss = ((Number) metrics.get("final validation loss")).doubleValue(),
                rmse = ((Number) metrics.get("RMSE on the validation rows")).doubleValue();
        assertEquals(Math.sqrt(loss), rmse, 1e-5 * rmse, "RMSE is the root of the validation MSE");
        assertTrue(((Number) metrics.get("MAE on the validation rows")).doubleValue() <= rmse, metrics.toString());
    }

    @Test
    void anAdamStepShowsItsMomentsAndTheirRule() throws Exception {
        Path page = dir.resolve("adam.html");
        assertEquals(0, Main.run("explain", "--optimizer", "adam", "--lr", "0.01", "--page", page.toString()));
        Map<String, Object> d = data(page);
        Map<String, Object> rule = cast(d.get("rule"));
        assertEquals("m", rule.get("first"));
        assertEquals("v", rule.get("second"));
        Map<String, Object> layer = cast(list(d.get("layers")).getFirst());
        List<Number> g = list(layer.get("dW")), m = list(layer.get("mW")), v = list(layer.get("vW"));
        for (int k = 0; k < g.size(); k++) {
            double gk = g.get(k).doubleValue();
            assertEquals(0.1 * gk, m.get(k).doubleValue(), 1e-6, "m = (1 − β1)·g after the first step");
            assertEquals(0.001 * gk * gk, v.get(k).doubleValue(), 1e-6, "v = (1 − β2)·g² after the first step");
        }
    }

    @Test
    void theReportHoldsAConfusionMatrixThatAddsUp() throws Exception {
        Path report = dir.resolve("report");
        assertEquals(0, Main.run("train", "--report", report.toString(), "--out", dir.resolve("out").toString(), "--epochs", "10"));
        Map<String, Object> placed = data(report.resolve("placement-placed/report.html"));
        List<List<Number>> confusion = list(placed.get("confusion"));
        int total = 0, right = 0;
        for (int i = 0; i < confusion.size(); i++) {
            for (int j = 0; j < confusion.size(); j++) {
                total += confusion.get(i).get(j).intValue();
                if (i == j) right += confusion.get(i).get(j).intValue();
            }
        }
        assertEquals(20, total, "the 20 validation rows");
        Map<String, Object> metrics = cast(placed.get("metrics"));
        assertEquals((double) right / total, ((Number) metrics.get("accuracy on the validation rows")).doubleValue(), 1e-9);
        Map<String, Object> pkg = data(report.resolve("placement-package/report.html"));
        Map<String, Object> pkgMetrics = cast(pkg.get("metrics"));
        assertTrue(pkgMetrics.containsKey("R² on the validation rows"));
        assertEquals(10, list(pkg.get("epochs")).size());
    }

    @Test
    void explainRefusesNetworksTooLargeToDraw() {
        assertEquals(Main.USER_ERROR, Main.run("explain", "--data", "../examples/placement.csv", "--target", "package_lpa",
                "--hidden", "64"));
        assertThrows(InputException.class, () -> ParameterName.index(Network.builder(2).dense(2, Activation.TANH).build(), "0.weight"));
    }

    // --- reading the data embedded in a page -------------------------------------------------------

    private static Map<String, Object> data(Path page) throws Exception {
        Matcher m = Pattern.compile("<script id=\"data\" type=\"application/json\">(.*?)</script>", Pattern.DOTALL)
                .matcher(Files.readString(page));
        assertTrue(m.find(), "the page embeds its data");
        return cast(dev.downhill.io.Json.parse(m.group(1)));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private static <T> List<T> list(Object o) {
        return cast(o);
    }

    private static double[] concat(List<Map<String, Object>> layers, String weights, String biases) {
        double[] out = new double[0];
        for (Map<String, Object> l : layers) {
            double[] w = doubles(l.get(weights)), b = doubles(l.get(biases));
            double[] next = Arrays.copyOf(out, out.length + w.length + b.length);
            System.arraycopy(w, 0, next, out.length, w.length);
            System.arraycopy(b, 0, next, out.length + w.length, b.length);
            out = next;
        }
        return out;
    }

    private static double[] doubles(Object o) {
        return PagesTest.<Number>list(o).stream().mapToDouble(Number::doubleValue).toArray();
    }

    private static float[] floats(Object o) {
        double[] d = doubles(o);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
