package dev.downhill.anchor;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.DeviceKind;
import dev.downhill.backend.MatrixProductPeak;
import dev.downhill.bench.StandardWorkloads;
import dev.downhill.bench.Throughput;
import dev.downhill.bench.ThroughputMeter;
import dev.downhill.workload.Workload;

import dev.downhill.cpu.FmaPeak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Locale;

/**
 * Downhill's CPU backend and Deeplearning4j on the standard workloads (at their CPU sizes), one
 * after the other in one process, so that the ratio compares two figures from the same machine
 * at the same time, beside PyTorch's CPU build measured just before in the same run
 * (tools/pytorch/torch_cpu_bench.py; its JSON lines are read here). Ours is the median of the
 * timed epochs, DL4J's and PyTorch's the best of theirs. The processor's measured FMA peak and the
 * share of it a 1024³ product reaches come first.
 *
 * <p>Arguments: workload names (default: all); {@code --warmups N}, {@code --repeats N};
 * {@code --pytorch FILE}, PyTorch's figures.
 */
public final class CpuPeerBench {
    private CpuPeerBench() {}

    public static void main(String[] args) {
        int warmups = 1, repeats = 3;
        List<Workload> workloads = new ArrayList<>();
        Map<String, Double> pytorch = Map.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmups" -> warmups = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--pytorch" -> pytorch = pytorchFigures(Path.of(args[++i]));
                default -> workloads.add(Workload.named(args[i]));
            }
        }
        if (workloads.isEmpty()) workloads.addAll(Workload.STANDARD);

        System.out.println("DL4J " + Dl4jThroughput.describe());
        try (Backend cpu = Backends.open(Backends.REFERENCE, new BackendOptions(BackendOptions.MathMode.FP32), s -> { })) {
            double peak = FmaPeak.measure(), product = cpu.capability(MatrixProductPeak.class).orElseThrow().measureMatrixProductFlops();
            System.out.println(String.format(Locale.ROOT, "FMA peak %.1f GFLOP/s; a 1024³ product %.1f GFLOP/s, %.0f%% of it (%s)",
                    peak / 1e9, product / 1e9, 100 * product / peak, cpu.device()));
            System.out.println("| workload | shape | batch | Downhill cpu samples/s | DL4J (best) | PyTorch (best) | ÷ DL4J | ÷ PyTorch |");
            System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            for (Workload standard : workloads) {
                Workload w = StandardWorkloads.forDevice(standard, DeviceKind.CPU);
                System.err.println("measuring " + w.name() + " " + w.shape() + " batch " + w.batchSize() + " ...");
                Throughput ours = new ThroughputMeter(warmups, repeats, ThroughputMeter.CPU_EPOCH_FLOPS).measure(cpu, "fp32", w, 0);
                Dl4jThroughput.Result theirs = Dl4jThroughput.measure(w, warmups, repeats);
                double torch = pytorch.getOrDefault(w.name(), Double.NaN);
                System.out.println(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %,.0f | %s | **%.2f×** | %s |", w.name(), w.shape(),
                        w.batchSize(), ours.samplesPerSecond(), theirs.bestSamplesPerSecond(),
                        Double.isNaN(torch) ? "–" : String.format(Locale.ROOT, "%,.0f", torch),
                        ours.samplesPerSecond() / theirs.bestSamplesPerSecond(),
                        Double.isNaN(torch) ? "–" : String.format(Locale.ROOT, "**%.2f×**", ours.samplesPerSecond() / torch)));
            }
        }
    }

    /** samples/s by workload from torch_cpu_bench.py's lines: {"workload": "mnist", ..., "samples_per_s": 33094, ...}. */
    private static Map<String, Double> pytorchFigures(Path jsonLines) {
        Pattern row = Pattern.compile("\"workload\": \"(\\w+)\".*\"samples_per_s\": ([0-9.]+)");
        Map<String, Double> figures = new HashMap<>();
        try {
            for (String line : Files.readAllLines(jsonLines)) {
                Matcher m = row.matcher(line);
                if (m.find()) figures.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read PyTorch's figures: " + e.getMessage(), e);
        }
        return figures;
    }
}
