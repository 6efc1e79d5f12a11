package dev.downhill.cli;

import dev.downhill.backend.Backend;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.train.EpochReport;
import dev.downhill.train.Metrics;
import dev.downhill.train.TrainingResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The HTML report of a training run: settings, backend, curves, time per epoch, final metrics. */
final class RunReport {
    /** A confusion matrix of more classes is neither readable on a page nor small: k² cells. */
    static final int CONFUSION_CLASSES = 100;
    private RunReport() {}

    static Path write(Path folder, RunSettings s, Backend backend, TrainableModel model, TrainingRun.Prepared p,
                      TrainingResult result) {
        Network net = p.network();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("title", s.name());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("data", s.data().workload() != null ? "workload " + s.data().workload().name() + " (" + s.data().rows() + " random rows)"
                : SeedExample.isSeedData(s.data().file()) ? "the seed example (examples/placement.csv, inside downhill.jar)"
                : String.valueOf(s.data().file()));
        settings.put("features", String.join(", ", p.all().featureNames()));
        settings.put("targets", String.join(", ", p.all().targetNames()));
        settings.put("rows", p.train().rows() + " training" + (p.validation() == null ? "" : ", " + p.validation().rows() + " validation"));
        settings.put("network", net.toString());
        settings.put("optimiser", s.training().optimizer().toString());
        settings.put("batch", Integer.toString(s.training().config().batchSize()));
        settings.put("regularisation", regularization(s.training()));
        settings.put("epochs", result.history().size() + " of at most " + s.training().config().epochs() + " (" + result.stopReason() + ")");
        settings.put("learning-rate schedule", String.valueOf(s.training().config().schedule()));
        settings.put("rows visited", s.training().config().shuffle() ? "shuffled, seed " + s.training().config().seed() : "in order");
        settings.put("standardised features", Boolean.toString(p.standardizer() != null));
        settings.put("backend", backend.name() + ": " + backend.device());
        settings.put("math", s.training().math().id());
        d.put("settings", settings);
        List<Object> epochs = new ArrayList<>();
        for (EpochReport r : result.history()) {
            epochs.add(java.util.Arrays.asList(r.epoch(), r.loss(), nanOrNull(r.validationLoss()),
                    nanOrNull(r.validationAccuracy()), r.nanos() / 1e6, nanOrNull(r.trainingAccuracy())));
        }
        d.put("epochs", epochs);
        DataSet scored = p.validation() != null ? p.validation() : p.train();
        var evaluation = model.evaluate(scored);
        float[] outputs = evaluation.outputs();
        String rows = p.validation() != null ? "validation" : "training";
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("final training loss (mean of the last epoch's steps)", result.finalLoss());
        if (p.validation() != null) metrics.put("final validation loss", evaluation.loss());
        if (net.loss() == Loss.MSE) {
            metrics.put("R² on the " + rows + " rows", Metrics.rSquared(outputs, scored));
            metrics.put("MAE on the " + rows + " rows", Metrics.meanAbsoluteError(outputs, scored));
            metrics.put("RMSE on the " + rows + " rows", Metrics.rootMeanSquaredError(outputs, scored));
        } else {
            metrics.put("accuracy on the " + rows + " rows", Metrics.accuracy(net.loss(), outputs, scored));
            List<String> classes = net.loss() == Loss.BCE ? List.of("0", "1") : p.all().targetNames();
            if (classes.size() <= CONFUSION_CLASSES) {
                d.put("confusion", Metrics.confusion(net.loss(), outputs, scored));
                d.put("classes", classes);
            } else {
                metrics.put("confusion matrix", "left out: " + classes.size() + " classes (drawn up to " + CONFUSION_CLASSES + ")");
            }
        }
        d.put("metrics", metrics);
        return Pages.write(folder.resolve("report.html"), "report", s.name() + ": training report", d);
    }

    /** The run's regularisation in words: "dropout 0.2, gradient norm clipped to 1.0", or "none". */
    static String regularization(RunSettings.TrainingSpec t) {
        List<String> parts = new ArrayList<>();
        if (t.dropout() > 0) parts.add("dropout " + t.dropout());
        if (t.clipNorm() > 0) parts.add("gradient norm clipped to " + t.clipNorm());
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static Object nanOrNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
