package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.spark.SparkTraining;
import dev.downhill.spark.TrainingPlan;
import dev.downhill.train.EpochReport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.*;

/**
 * One training run on Spark ({@code train --spark}): Spark reads the CSV or Parquet data, the
 * ranks train as {@link SparkTraining} does, and the model is saved as a local run saves it (with
 * its columns and standardisation, so that predict and export take it as any other).
 */
final class SparkRun {
    /** How long a rank waits for the others before failing the stage. */
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final RunSettings s;
    private final SparkSession spark;
    private final int ranks;
    private final PrintStream out;

    SparkRun(RunSettings settings, SparkSession spark, int ranks, PrintStream out) {
        this.s = settings;
        this.spark = spark;
        this.ranks = ranks;
        this.out = out;
    }

    /**
     * A session on {@code master} ("local[N]": N executor threads in this JVM, no Spark installation),
     * or, for "submitted", the one spark-submit configured.
     */
    static SparkSession session(SparkMaster master, String app) {
        SparkSession.Builder builder = SparkSession.builder().appName(app);
        if (!master.submitted()) builder.master(master.url()).config("spark.ui.enabled", "false");
        return builder.getOrCreate();
    }

    /** Trains and saves the model; returns its path. */
    Path run() {
        try (OutputFolder claimed = OutputFolder.claim(s.output().folder())) {
            Dataset<Row> frame = read(s.data().file());
            List<String> targets = new ArrayList<>(s.data().targets());
            if (s.network().loss() == Loss.CROSS_ENTROPY && targets.size() == 1) {
                String label = targets.getFirst();
                int k = classes(frame, label);
                frame = oneHot(frame, label, k);
                targets = classColumns(label, k);
            }
            List<String> features = new ArrayList<>(s.data().features());
            if (features.isEmpty()) {
                for (String c : frame.columns()) {
                    if (!s.data().targets().contains(c) && !targets.contains(c)) features.add(c);
                }
            }
            List<DenseLayer> layers = new ArrayList<>(s.network().hidden());
            layers.add(new DenseLayer(targets.size(), s.network().output()));
            Network network = Network.builder(features.size()).layers(layers).loss(s.network().loss())
                    .initializer(s.network().initializer()).seed(s.seed()).build();
            out.println("== " + s.name() + ": " + String.join(", ", features) + " -> " + String.join(", ", targets)
                    + " on Spark " + spark.version() + " (" + spark.sparkContext().master() + "), " + ranks + " ranks");
            out.println("network " + network + ", optimiser " + s.training().optimizer() + ", batch " + s.training().config().batchSize()
                    + " per rank (" + ranks * s.training().config().batchSize() + " a step)"
                    + (s.training().regularization(s.seed()).isNone() ? "" : ", " + RunReport.regularization(s.training())));
            out.print(network.summary());
            TrainingPlan plan = new TrainingPlan(network, s.training().optimizer(), s.training().regularization(s.seed()),
                    s.training().config(), features, targets, ranks, s.data().standardize(),
                    s.training().backend() == null ? "auto" : s.training().backend(),
                    new dev.downhill.backend.BackendOptions(s.training().math()),
                    s.output().folder().resolve("spark-checkpoints").toUri().toString(), 100, TIMEOUT, null);
            SparkTraining.Result result = SparkTraining.train(frame, plan);
            report(result);
            return save(network, features, targets, result);
        }
    }

    private void report(SparkTraining.Result r) {
        Map<String, Long> backends = new LinkedHashMap<>();
        for (String b : r.rankBackends()) backends.merge(b, 1L, Long::sum);
        List<String> where = new ArrayList<>();
        backends.forEach((b, n) -> where.add(n + " on " + b));
        out.println("ranks: " + String.join("; ", where) + (r.attempts() > 1 ? " (the stage ran " + r.attempts()
                + " times: a rank failed and the ranks resumed from the newest checkpoint)" : ""));
        for (int e = 0; e < r.epochLosses().length; e++) {
            out.printf("epoch %d/%d  loss %.6f  %.1f ms%n", e + 1, r.epochLosses().length, r.epochLosses()[e], r.epochNanos()[e] / 1e6);
        }
        out.printf("%d rows, %d steps; in the last epoch %.2f ms a step, of which all-reduce %.2f ms (the slowest rank's "
                + "wait included)%n", r.rows(), r.steps(), r.lastEpochMillisPerStep(), r.lastEpochExchangeMillisPerStep());
    }

    private Path save(Network network, List<String> features, List<String> targets, SparkTraining.Result r) {
        Map<String, String> meta = TrainingRun.metadata(s, features, targets, r.standardizer(), Map.of());
        meta.put("downhill.spark.ranks", Integer.toString(ranks));
        List<EpochReport> history = new ArrayList<>();
        for (int e = 0; e < r.epochLosses().length; e++) {
            history.add(new EpochReport(e + 1, r.epochLosses()[e], Double.NaN, Double.NaN,
                    s.training().config().schedule().rate(s.training().optimizer().learningRate(), e), Double.NaN, r.epochNanos()[e]));
        }
        int epochs = history.size();
        Path model = TrainingRun.saveModel(s, network, new dev.downhill.train.TrainingResult(history, "reached " + epochs
                + (epochs == 1 ? " epoch" : " epochs"), false, r.parameters(), null), meta);
        String curves = LossPlot.write(s.output().folder(), s.name() + " — " + network.widths() + " " + network.loss().id()
                + ", " + ranks + " ranks on Spark", history);
        out.println("saved " + model + ", " + curves);
        return model;
    }

    /** The data file as Spark reads it: Parquet (a .parquet file or a folder of them) or CSV with a header row. */
    private Dataset<Row> read(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        if (name.endsWith(".parquet") || Files.isDirectory(file)) return spark.read().parquet(file.toUri().toString());
        if (name.endsWith(".csv")) {
            return spark.read().option("header", true).option("inferSchema", true).option("mode", "FAILFAST")
                    .csv(file.toUri().toString());
        }
        throw new InputException(file + ": with --spark the data is a CSV file with a header row or Parquet, which Spark reads");
    }

    /** The number of classes of a label column: --classes, else the largest label + 1. */
    private int classes(Dataset<Row> frame, String label) {
        if (s.data().classes() > 0) return s.data().classes();
        Row r = frame.agg(max(col(label).cast("double"))).first();
        if (r.isNullAt(0)) throw new InputException("column '" + label + "' holds no class label");
        return (int) r.getDouble(0) + 1;
    }

    /** A cross-entropy label column of {@code k} classes as one-hot columns LABEL=0 … LABEL=K-1. */
    private static Dataset<Row> oneHot(Dataset<Row> frame, String label, int k) {
        Dataset<Row> bad = frame.filter(col(label).isNull().or(col(label).cast("double").notEqual(col(label).cast("int")))
                .or(col(label).cast("int").lt(0)).or(col(label).cast("int").geq(k)));
        long count = bad.count();
        if (count > 0) {
            throw new InputException("column '" + label + "': " + count + " rows hold no class label in 0.." + (k - 1));
        }
        List<String> columns = classColumns(label, k);
        for (int c = 0; c < k; c++) {
            frame = frame.withColumn(columns.get(c), when(col(label).cast("int").equalTo(c), 1.0).otherwise(0.0));
        }
        return frame;
    }

    private static List<String> classColumns(String label, int k) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) names.add(label + "=" + c);
        return names;
    }
}
