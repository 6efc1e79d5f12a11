package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.train.EpochReport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The loss curve of a training run: the numbers as CSV always, and a PNG drawn with XChart
 * where Java's graphics can run (a runtime without fonts cannot draw text).
 */
final class LossPlot {
    private LossPlot() {}

    /** Writes {@code loss.csv} and {@code loss.png} into {@code folder}; returns what was written, in words. */
    static String write(Path folder, String title, List<EpochReport> history) {
        Path csv = folder.resolve("loss.csv"), png = folder.resolve("loss.png");
        StringBuilder table = new StringBuilder("epoch,loss,validation_loss,validation_accuracy,learning_rate,seconds\n");
        for (EpochReport r : history) {
            table.append(r.epoch()).append(',').append(r.loss()).append(',').append(r.validationLoss()).append(',')
                    .append(r.validationAccuracy()).append(',').append(r.learningRate()).append(',')
                    .append(r.nanos() / 1e9).append('\n');
        }
        try {
            java.nio.file.Files.writeString(csv, table);
        } catch (IOException e) {
            throw new InputException(csv + ": cannot write the loss history (" + e.getMessage() + ")");
        }
        try {
            drawPng(png, title, history);
            return csv + " and " + png;
        } catch (RuntimeException | Error e) {
            // AWT fails this way on machines without fontconfig; the CSV holds the same numbers
            return csv + " (no plot: Java cannot draw here: " + e.getMessage() + ")";
        }
    }

    private static void drawPng(Path png, String title, List<EpochReport> history) {
        double[] epochs = history.stream().mapToDouble(EpochReport::epoch).toArray();
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("epoch").yAxisTitle("mean loss").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.addSeries("training", epochs, history.stream().mapToDouble(EpochReport::loss).toArray())
                .setMarker(SeriesMarkers.NONE);
        if (history.stream().noneMatch(r -> Double.isNaN(r.validationLoss()))) {
            chart.addSeries("validation", epochs, history.stream().mapToDouble(EpochReport::validationLoss).toArray())
                    .setMarker(SeriesMarkers.NONE);
        }
        try {
            BitmapEncoder.saveBitmap(chart, png.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new InputException(png + ": cannot write the loss plot (" + e.getMessage() + ")");
        }
    }
}
