package dev.downhill.cli;

import dev.downhill.backend.Backends;
import dev.downhill.bench.Throughput;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark results as a table, as JSON and as a sweep plot. */
final class BenchTable {
    private BenchTable() {}

    /** @param fmaPeak the CPU's measured fused-multiply-add limit, or null where no CPU run was measured */
    static void print(PrintStream out, List<Throughput> rows, Map<String, Double> peaks, Double fmaPeak) {
        if (fmaPeak != null) {
            out.printf(Locale.ROOT, "fma peak            %-10s %8.1f GFLOP/s (%d cores)%n", "cpu/fp32", fmaPeak / 1e9,
                    Runtime.getRuntime().availableProcessors());
        }
        peaks.forEach((k, v) -> out.printf(Locale.ROOT, "matrix-product peak %-10s %8.1f GFLOP/s%s%n", k, v / 1e9,
                fmaPeak != null && k.startsWith("cpu/") ? String.format(Locale.ROOT, " (%.0f%% of the FMA peak)", 100 * v / fmaPeak) : ""));
        out.printf(Locale.ROOT, "%-5s %-6s %-25s %-5s %7s %14s %12s %9s %7s %9s%n", "backend", "workload", "shape", "math",
                "batch", "samples/s", "step", "TFLOP/s", "% peak", "vs cpu");
        for (Throughput t : rows) {
            Throughput cpu = rows.stream().filter(c -> c.backend().equals(Backends.REFERENCE) && c.workload().equals(t.workload())
                    && c.shape().equals(t.shape()) && c.batch() == t.batch()).findFirst()
                    .orElseGet(() -> rows.stream().filter(c -> c.backend().equals(Backends.REFERENCE) && c.workload().equals(t.workload()))
                            .findFirst().orElse(null));
            String ratio = cpu == null || t.backend().equals(Backends.REFERENCE) ? "" : String.format(Locale.ROOT, "%.1fx",
                    t.samplesPerSecond() / cpu.samplesPerSecond());
            out.printf(Locale.ROOT, "%-7s %-8s %-25s %-5s %7d %14.0f %12s %9.3f %7.1f %9s%n", t.backend(), t.workload(),
                    t.shape(), t.math(), t.batch(), t.samplesPerSecond(), time(t.stepSeconds()), t.flopsPerSecond() / 1e12,
                    100 * t.peakShare(), ratio);
        }
    }

    private static String time(double seconds) {
        if (seconds < 1e-3) return String.format(Locale.ROOT, "%.2f µs", seconds * 1e6);
        if (seconds < 1) return String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }

    static String json(List<Throughput> rows) {
        StringBuilder s = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            Throughput t = rows.get(i);
            s.append(String.format(Locale.ROOT, "  {\"backend\": \"%s\", \"device\": \"%s\", \"workload\": \"%s\", \"shape\": \"%s\", "
                            + "\"math\": \"%s\", \"batch\": %d, \"samples_per_s\": %.1f, \"step_s\": %.6e, \"tflops\": %.4f, "
                            + "\"peak_share\": %.4f}%s%n", t.backend(), t.device().replace("\"", "'"), t.workload(), t.shape(),
                    t.math(), t.batch(), t.samplesPerSecond(), t.stepSeconds(), t.flopsPerSecond() / 1e12,
                    Double.isNaN(t.peakShare()) ? 0 : t.peakShare(), i + 1 < rows.size() ? "," : ""));
        }
        return s.append("]\n").toString();
    }

    /** Samples/s against the swept quantity, one line per backend and math mode. */
    static String sweepPlot(Path png, String sweep, List<Throughput> rows) {
        Map<String, Charts.Series> series = new LinkedHashMap<>();
        Map<String, List<Throughput>> byLine = new LinkedHashMap<>();
        for (Throughput t : rows) byLine.computeIfAbsent(t.backend() + " " + t.math(), k -> new java.util.ArrayList<>()).add(t);
        byLine.forEach((name, points) -> series.put(name, new Charts.Series(
                points.stream().mapToDouble(t -> sweep.equals("batch") ? t.batch() : Double.parseDouble(t.shape().split("-")[0]))
                        .toArray(),
                points.stream().mapToDouble(Throughput::samplesPerSecond).toArray(), true)));
        String failed = Charts.drawPng(png, "training throughput against " + sweep, sweep.equals("batch") ? "batch size"
                : "layer width", "samples/s", series, true, true);
        return failed == null ? "plot: " + png : "no plot (" + failed + ")";
    }
}
