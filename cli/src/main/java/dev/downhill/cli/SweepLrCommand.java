package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.io.AtomicFile;
import dev.downhill.train.EpochReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code downhill sweep-lr}: loss curves of one network for several learning rates, on one plot. */
@Command(name = "sweep-lr", header = "Trains from the same start with each learning rate and plots the loss curves side by side.", sortOptions = false,
        description = {"Trains the same network from the same initial parameters with each learning rate and draws",
                "the loss curves on one plot, marking the runs that diverged (and where) and the fastest.",
                "Takes every option of 'downhill train' (the seed example by default)."})
final class SweepLrCommand implements Callable<Integer> {
    @Mixin
    TrainCommand train = new TrainCommand();

    @Option(names = "--values", split = ",", paramLabel = "RATES", defaultValue = "1e-4,1e-3,1e-2,1e-1,1",
            description = "learning rates to try (default: 1e-4,1e-3,1e-2,1e-1,1)")
    List<Float> values;

    @Option(names = "--run", paramLabel = "NAME", description = "for the seed example: placement-package (default) or placement-placed")
    String run;

    @Option(names = "--plot", paramLabel = "FILE", description = "the plot (default: out/sweep-lr/RUN.png; loss curves also as RUN.csv)")
    Path plot;

    /** A rate as a plain decimal, the same way for every rate: 0.0001 beside 0.001, not 1.0E-4. */
    static String rateText(float rate) {
        return new java.math.BigDecimal(Float.toString(rate)).stripTrailingZeros().toPlainString();
    }

    @Override
    public Integer call() {
        RunSettings s = train.run(run);
        for (float v : values) {
            if (!(v > 0 && Float.isFinite(v))) throw new InputException("--values: learning rates must be positive numbers, got " + v);
        }
        Path png = plot != null ? plot : Path.of("out", "sweep-lr", s.name() + ".png");
        AtomicFile.checkWritable(png, "the plot");
        TrainingRun.Prepared p = new TrainingRun(s, System.out).prepare();
        List<LrSweep.Run> results;
        try (Backend backend = Backends.open(s.training().backend(), new BackendOptions(s.training().math()),
                System.out::println)) {
            results = LrSweep.sweep(backend, s, p, values);
        }
        int fastest = LrSweep.fastest(results);
        Map<String, Charts.Series> series = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("learning_rate,epoch,loss\n");
        // a diverging run's losses climb by dozens of orders of magnitude before they stop being
        // numbers: draw it only up to ten times the highest first-epoch loss of the others, then mark where it left
        double cap = 10 * results.stream().filter(r -> !r.diverged() && !r.history().isEmpty())
                .mapToDouble(r -> r.history().getFirst().loss()).max()
                .orElse(results.stream().filter(r -> !r.history().isEmpty()).mapToDouble(r -> r.history().getFirst().loss())
                        .min().orElse(1));
        System.out.printf("%-10s %-52s %s%n", "lr", "outcome", "final loss");
        for (int i = 0; i < results.size(); i++) {
            LrSweep.Run r = results.get(i);
            String rate = rateText(r.rate());
            String outcome = r.divergedEpoch() > 0 ? "diverged: not a number at epoch " + r.divergedEpoch() + ", step " + r.divergedStep()
                    : r.rising() ? String.format("diverging: loss rose from %.4g (epoch 1) to %.4g", r.history().getFirst().loss(),
                            r.history().getLast().loss())
                    : i == fastest ? "converged fastest" : "trained " + r.history().size() + " epochs";
            double last = r.history().isEmpty() ? Double.NaN : r.history().getLast().loss();
            System.out.printf("%-10s %-52s %s%n", rate, outcome, r.history().isEmpty() ? "–" : String.format("%.6g", last));
            for (EpochReport e : r.history()) csv.append(rate).append(',').append(e.epoch()).append(',').append(e.loss()).append('\n');
            // a diverging run is drawn up to the cap, its points above it on the cap, and a marker where it left the numbers
            double[] x = r.history().stream().mapToDouble(EpochReport::epoch).toArray();
            double[] y = r.history().stream().mapToDouble(e -> Math.min(e.loss(), cap)).toArray();
            if (r.divergedEpoch() > 0) {
                x = java.util.Arrays.copyOf(x, x.length + 1);
                y = java.util.Arrays.copyOf(y, y.length + 1);
                x[x.length - 1] = r.divergedEpoch();
                y[y.length - 1] = cap;
            }
            series.put("lr " + rate + (r.divergedEpoch() > 0 ? " — diverged (epoch " + r.divergedEpoch() + ", step "
                    + r.divergedStep() + ")" : r.rising() ? " — diverging" : i == fastest ? " — fastest" : ""),
                    new Charts.Series(x, y, r.diverged()));
        }
        System.out.println(LrSweep.FASTEST);
        Path csvFile = png.resolveSibling(png.getFileName().toString().replaceFirst("\\.png$", "") + ".csv");
        AtomicFile.writeString(csvFile, "the loss curves", csv);
        String failed = Charts.drawPng(png,
                s.name() + ": loss against epoch for each learning rate", "epoch", "mean loss (log)", series, false, true);
        System.out.println("all runs started from the same parameters; wrote " + csvFile + (failed == null ? " and " + png : " (no plot: " + failed + ")"));
        return 0;
    }
}
