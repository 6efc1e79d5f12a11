package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.BackendProvider;
import dev.downhill.backend.Backends;
import dev.downhill.backend.DeviceKind;
import dev.downhill.backend.MatrixProductPeak;
import dev.downhill.bench.StandardWorkloads;
import dev.downhill.bench.Throughput;
import dev.downhill.bench.ThroughputMeter;
import dev.downhill.cpu.FmaPeak;
import dev.downhill.io.AtomicFile;
import dev.downhill.workload.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code downhill bench}: training throughput of every backend that can run here on the
 * standard workloads, side by side, or swept over batch size or layer width.
 */
@Command(name = "bench", header = "Measures training throughput of each backend on the standard workloads or your own network.", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures training throughput (samples/s) of each backend on the standard workloads,",
                "or on a network and data of your own: everything after -- is read as 'downhill train' options,",
                "e.g. downhill bench --backend cpu,cuda -- --data f.csv --target y --hidden 256,256 --batch 512.",
                "The cpu backend runs tcnn at batch 16384 and wide as 1024x4 at batch 1024."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--workload", split = ",", paramLabel = "NAME", description = "tiny, mnist, tcnn, wide (default: all)")
    List<String> workloads;

    @Option(names = "--backend", split = ",", paramLabel = "NAME", description = "cpu, cuda (default: every backend that can run)")
    List<String> backends;

    @Option(names = "--math", split = ",", paramLabel = "MODE", description = "fp32, tf32 (default: fp32, and tf32 on cuda)")
    List<String> maths;

    @Option(names = "--batch", paramLabel = "N", description = "override every workload's batch size")
    Integer batch;

    @Option(names = "--warmups", defaultValue = "2", paramLabel = "N", description = "untimed epochs first (default: 2)")
    int warmups;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N", description = "timed epochs; the median counts (default: 5)")
    int repeats;

    @Option(names = "--sweep", paramLabel = "batch|width", description = "throughput against batch size (mnist's network) or layer width (4 square layers, batch 256)")
    String sweep;

    @Option(names = "--spark", paramLabel = "MASTER", description = "data-parallel on Spark instead: the ring all-reduce's rate, "
            + "then a workload (default: mnist) at 1 rank and at N of local[N] (or --ranks)")
    String spark;

    @Option(names = "--ranks", paramLabel = "N", description = "with --spark: the ranks to compare with one (default: N of local[N])")
    Integer ranks;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the rows as JSON")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE", description = "where a sweep's plot goes (default: out/bench-sweep-KIND.png)")
    Path plot;

    @Parameters(paramLabel = "-- TRAIN-OPTIONS", description = "a network and data of your own, as 'downhill train' takes them")
    List<String> own;

    @Override
    public Integer call() {
        if (warmups < 0) throw new InputException("--warmups must be >= 0, got " + warmups);
        if (repeats < 1) throw new InputException("--repeats must be at least 1, got " + repeats);
        if (batch != null && batch < 1) throw new InputException("--batch must be at least 1, got " + batch);
        if (spark != null) return benchOnSpark();
        if (json != null) AtomicFile.checkWritable(json, "the results");
        if (plot != null) AtomicFile.checkWritable(plot, "the plot");
        List<Run> runs = own != null ? ownRuns() : sweep == null ? standardRuns() : sweepRuns();
        PrintStream out = System.out;
        List<Throughput> rows = new ArrayList<>();
        Map<String, Double> peaks = new LinkedHashMap<>();
        // the processor's own limit, beside the products', so that a product's share of it shows
        Double fmaPeak = runs.stream().anyMatch(r -> Backends.deviceKind(r.backend) == DeviceKind.CPU) ? FmaPeak.measure() : null;
        boolean terminal = ProgressPrinter.stdoutIsTerminal();
        for (Run run : runs) {
            String progress = "measuring " + run.backend + " " + run.subject.describe() + " " + run.math + " ...";
            System.err.print(terminal ? "\r\033[K" + progress : progress + "\n");
            try (Backend backend = Backends.open(run.backend, options(run.math), s -> { })) {
                double peak = peaks.computeIfAbsent(run.backend + "/" + run.math, k -> backend.capability(MatrixProductPeak.class)
                        .map(MatrixProductPeak::measureMatrixProductFlops).orElse(Double.NaN));
                double epochFlops = ThroughputMeter.epochFlops(Backends.deviceKind(run.backend));
                rows.add(run.subject.measure(new ThroughputMeter(warmups, repeats, epochFlops), backend, run.math, peak));
            }
        }
        if (terminal) System.err.print("\r\033[K");
        BenchTable.print(out, rows, peaks, fmaPeak);
        if (json != null) AtomicFile.writeString(json, "the results", BenchTable.json(rows));
        if (sweep != null) {
            Path png = plot != null ? plot : Path.of("out", "bench-sweep-" + sweep + ".png");
            AtomicFile.checkWritable(png, "the plot");
            out.println(BenchTable.sweepPlot(png, sweep, rows));
        }
        return 0;
    }

    /** bench --spark: one workload, its batch a rank, 20 steps an epoch. */
    private int benchOnSpark() {
        SparkMaster.requireSpark();
        if (workloads != null && workloads.size() != 1) throw new InputException("--spark measures one --workload at a time");
        Workload w = Workload.named(workloads == null ? "mnist" : workloads.getFirst());
        SparkMaster master = new SparkMaster(spark);
        int n = master.ranks(ranks);
        try {
            new SparkBench(System.out).run(master, n, w, batch != null ? batch : w.batchSize(), 20);
        } catch (InputException | IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("bench --spark failed: " + e.getMessage(), e);
        }
        return 0;
    }

    private record Run(String backend, String math, Subject subject) {}

    /** What a run trains: a standard workload on synthetic rows, or the user's network on the user's data. */
    private sealed interface Subject {
        String describe();

        Throughput measure(ThroughputMeter meter, Backend backend, String math, double peak);
    }

    private record Standard(Workload workload) implements Subject {
        public String describe() {
            return workload.name() + " " + workload.shape() + " batch " + workload.batchSize();
        }

        public Throughput measure(ThroughputMeter meter, Backend backend, String math, double peak) {
            return meter.measure(backend, math, workload, peak);
        }
    }

    private record Own(RunSettings settings, TrainingRun.Prepared prepared) implements Subject {
        public String describe() {
            return settings.name() + " " + prepared.network().widths() + " batch " + settings.training().config().batchSize();
        }

        public Throughput measure(ThroughputMeter meter, Backend backend, String math, double peak) {
            return meter.measure(backend, math, settings.name(), prepared.network(), prepared.initial(), settings.training().optimizer(),
                    prepared.train(), settings.training().config().batchSize(), peak);
        }
    }

    /** The network and data after --, read as 'downhill train' reads them, on every backend and math mode asked for. */
    private List<Run> ownRuns() {
        if (workloads != null || sweep != null || batch != null) {
            throw new InputException("a network of your own (after --) takes no --workload, --sweep or --batch: "
                    + "give --batch after -- as 'downhill train' takes it");
        }
        for (String arg : own) {
            if (arg.matches("--(backend|math)(=.*)?")) {
                throw new InputException(arg.replaceFirst("=.*", "") + " goes before --: bench measures every backend "
                        + "and math mode asked for there");
            }
        }
        TrainCommand train = new TrainCommand();
        new picocli.CommandLine(train).parseArgs(own.toArray(String[]::new));
        RunSettings settings = train.run(null);
        if (!settings.training().regularization(settings.seed()).isNone()) {
            throw new InputException("--dropout, --clip-norm: bench measures the backends' plain steps, on their fastest paths; "
                    + "drop them");
        }
        Own subject = new Own(settings, new TrainingRun(settings, System.err).prepare());
        List<Run> runs = new ArrayList<>();
        for (String b : backendNames()) {
            for (String m : mathsFor(b)) runs.add(new Run(b, m, subject));
        }
        return runs;
    }

    private List<Run> standardRuns() {
        List<Workload> chosen = workloads == null ? Workload.STANDARD : workloads.stream().map(Workload::named).toList();
        List<Run> runs = new ArrayList<>();
        for (String b : backendNames()) {
            for (String m : mathsFor(b)) {
                for (Workload w : chosen) {
                    Workload sized = StandardWorkloads.forDevice(w, Backends.deviceKind(b));
                    runs.add(new Run(b, m, new Standard(batch != null ? sized.withBatch(batch) : sized)));
                }
            }
        }
        return runs;
    }

    private List<Run> sweepRuns() {
        List<Run> runs = new ArrayList<>();
        Workload mnist = Workload.named("mnist");
        for (String b : backendNames()) {
            for (String m : mathsFor(b)) {
                switch (sweep) {
                    case "batch" -> {
                        for (int size = 1; size <= 4096; size *= 4) runs.add(new Run(b, m, new Standard(mnist.withBatch(size))));
                    }
                    case "width" -> {
                        for (int w = 16; w <= 2048; w *= 2) {
                            runs.add(new Run(b, m, new Standard(mnist.renamed("square", w, w, w, w, w).withBatch(batch != null ? batch : 256))));
                        }
                    }
                    default -> throw new InputException("unknown sweep '" + sweep + "' (expected batch or width)");
                }
            }
        }
        return runs;
    }

    private List<String> backendNames() {
        if (backends != null) return backends;
        return Backends.providers().stream().filter(p -> p.availability().available()).map(BackendProvider::name).toList();
    }

    private List<String> mathsFor(String backend) {
        List<String> asked = maths != null ? maths : List.of("fp32", "tf32");
        return switch (Backends.deviceKind(backend)) {           // TF32 is a GPU's tensor-core mode
            case CPU -> asked.stream().filter(m -> m.equals("fp32")).toList();
            case GPU -> asked;
        };
    }

    private static BackendOptions options(String math) {
        try {
            return new BackendOptions(BackendOptions.MathMode.valueOf(math.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new InputException("unknown math mode '" + math + "' (expected fp32 or tf32)");
        }
    }
}
