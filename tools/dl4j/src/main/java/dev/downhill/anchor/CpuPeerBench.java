package dev.downhill.anchor;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.bench.StandardWorkloads;
import dev.downhill.bench.Throughput;
import dev.downhill.bench.ThroughputMeter;
import dev.downhill.workload.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Downhill's CPU backend and Deeplearning4j on the standard workloads (at their CPU sizes), one
 * after the other in one process, so that the ratio compares two figures from the same machine
 * at the same time. Ours is the median of the timed epochs, DL4J's the best of them.
 *
 * <p>Arguments: workload names (default: all); {@code --warmups N}, {@code --repeats N}.
 */
public final class CpuPeerBench {
    private CpuPeerBench() {}

    public static void main(String[] args) {
        int warmups = 1, repeats = 3;
        List<Workload> workloads = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmups" -> warmups = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> workloads.add(Workload.named(args[i]));
            }
        }
        if (workloads.isEmpty()) workloads.addAll(Workload.STANDARD);

        System.out.println("DL4J " + Dl4jThroughput.describe());
        System.out.println("| workload | shape | batch | Downhill cpu samples/s | DL4J samples/s (median) | DL4J (best) | ratio |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        try (Backend cpu = Backends.open("cpu", new BackendOptions(BackendOptions.MathMode.FP32), s -> { })) {
            for (Workload standard : workloads) {
                Workload w = StandardWorkloads.forBackend(standard, "cpu");
                System.err.println("measuring " + w.name() + " " + w.shape() + " batch " + w.batchSize() + " ...");
                Throughput ours = new ThroughputMeter(warmups, repeats, ThroughputMeter.CPU_EPOCH_FLOPS).measure(cpu, "fp32", w, 0);
                Dl4jThroughput.Result theirs = Dl4jThroughput.measure(w, warmups, repeats);
                System.out.println(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %,.0f | %,.0f | **%.2f×** |", w.name(), w.shape(),
                        w.batchSize(), ours.samplesPerSecond(), theirs.medianSamplesPerSecond(), theirs.bestSamplesPerSecond(),
                        ours.samplesPerSecond() / theirs.bestSamplesPerSecond()));
            }
        }
    }
}
