package dev.downhill.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Path;
import java.util.Map;

/** Line charts as PNG through XChart, for the loss curve and the benchmark sweeps. */
final class Charts {
    private Charts() {}

    /** One series of points. */
    record Series(double[] x, double[] y, boolean markers) {}

    /**
     * Draws the series into {@code png}. Returns null when written, else why not: Java cannot draw
     * text on a machine without fontconfig, and a chart is never worth failing a run for.
     */
    static String drawPng(Path png, String title, String xTitle, String yTitle, Map<String, Series> series,
                          boolean logX, boolean logY) {
        try {
            XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
            chart.getStyler().setXAxisLogarithmic(logX);
            chart.getStyler().setYAxisLogarithmic(logY);
            series.forEach((name, s) -> chart.addSeries(name, s.x(), s.y())
                    .setMarker(s.markers() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE));
            BitmapEncoder.saveBitmap(chart, png.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
            return null;
        } catch (java.io.IOException e) {
            return "cannot write " + png + ": " + e.getMessage();
        } catch (RuntimeException | Error e) {
            return "Java cannot draw here: " + e.getMessage();
        }
    }
}
