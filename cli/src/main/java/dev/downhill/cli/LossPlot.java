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

/** The loss curve of a training run as a PNG, drawn with XChart. */
final class LossPlot {
    private LossPlot() {}

    static void write(Path png, String title, List<EpochReport> history) {
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
