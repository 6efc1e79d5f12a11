package dev.downhill.cli;

import dev.downhill.io.AtomicFile;
import dev.downhill.train.EpochReport;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The loss curve of a training run: the numbers as CSV always, and a PNG where Java can draw. */
final class LossPlot {
    private LossPlot() {}

    /** Writes {@code loss.csv} and {@code loss.png} into {@code folder}; returns what was written, in words. */
    static String write(Path folder, String title, List<EpochReport> history) {
        Path csv = folder.resolve("loss.csv"), png = folder.resolve("loss.png");
        StringBuilder table = new StringBuilder("epoch,loss,validation_loss,validation_accuracy,learning_rate,seconds,"
                + "validation_mae,validation_rmse,validation_r2,accuracy\n");
        for (EpochReport r : history) {
            table.append(r.epoch()).append(',').append(r.loss()).append(',').append(r.validationLoss()).append(',')
                    .append(r.validationAccuracy()).append(',').append(r.learningRate()).append(',')
                    .append(r.nanos() / 1e9).append(',').append(r.validationMae()).append(',').append(r.validationRmse())
                    .append(',').append(r.validationR2()).append(',').append(r.trainingAccuracy()).append('\n');
        }
        AtomicFile.writeString(csv, "the loss history", table);
        double[] epochs = history.stream().mapToDouble(EpochReport::epoch).toArray();
        Map<String, Charts.Series> series = new LinkedHashMap<>();
        series.put("training", new Charts.Series(epochs, history.stream().mapToDouble(EpochReport::loss).toArray(), false));
        if (history.stream().noneMatch(r -> Double.isNaN(r.validationLoss()))) {
            series.put("validation", new Charts.Series(epochs,
                    history.stream().mapToDouble(EpochReport::validationLoss).toArray(), false));
        }
        // a loss that falls through decades looks flat at zero on a linear axis after the first few epochs
        double[] all = series.values().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.y())).toArray();
        double min = java.util.Arrays.stream(all).min().orElse(1), max = java.util.Arrays.stream(all).max().orElse(1);
        boolean log = min > 0 && max / min >= 10;
        String failed = Charts.drawPng(png, title, "epoch", log ? "mean loss (log)" : "mean loss", series, false, log);
        return failed == null ? csv + " and " + png : csv + " (no plot: " + failed + ")";
    }
}
