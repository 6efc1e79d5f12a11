package dev.downhill.cli;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.TrainableModel;
import dev.downhill.InputException;
import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.checkpoint.TrainingCheckpoint;
import dev.downhill.data.CsvReader;
import dev.downhill.data.DataSet;
import dev.downhill.data.Standardizer;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;
import dev.downhill.train.Metrics;
import dev.downhill.train.EpochReport;
import dev.downhill.train.Trainer;
import dev.downhill.train.TrainingListener;
import dev.downhill.train.TrainingResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One training run from a CSV file to a checkpoint and a loss plot, reported as it goes. */
final class TrainingRun {
    /** Networks up to this many parameters have every value printed. */
    private static final int PRINTED_PARAMETERS = 64;
    private final RunSettings s;
    private final PrintStream out;
    private final JsonLinesLog json;

    TrainingRun(RunSettings settings, PrintStream out) {
        this(settings, out, JsonLinesLog.NONE);
    }

    TrainingRun(RunSettings settings, PrintStream out, JsonLinesLog json) {
        this.s = settings;
        this.out = out;
        this.json = json;
    }

    /** How a run ended: its model checkpoint, or (when stopped by Ctrl-C) the training checkpoint to resume from. */
    record Outcome(Path checkpoint, boolean interrupted) {}

    /**
     * The data and network of a run, ready to train: what explain and sweep-lr also need.
     *
     * @param categories the categorical columns' categories, in the order of their one-hot features
     */
    record Prepared(DataSet all, DataSet train, DataSet validation, Standardizer standardizer, Network network,
                    float[] initial, Map<String, List<String>> categories) {}

    Prepared prepare() {
        CsvReader.Result read = s.data().workload() != null
                ? new CsvReader.Result(s.data().workload().syntheticData(s.data().rows(), s.seed()), 0, Map.of()) : readCsv();
        DataSet all = read.data();
        DataSet train = all, validation = null;
        if (s.data().validation() > 0) {
            DataSet.Split split = all.split(s.data().validation(), s.seed());
            train = split.train();
            validation = split.validation();
        }
        Standardizer standardizer = s.data().standardize() ? Standardizer.fit(train) : null;
        if (standardizer != null) {
            train = standardizer.apply(train);
            if (validation != null) validation = standardizer.apply(validation);
        }
        List<DenseLayer> layers = new ArrayList<>(s.network().hidden());
        layers.add(new DenseLayer(all.targetWidth(), s.network().output()));
        Network network = Network.builder(all.featureWidth()).layers(layers).loss(s.network().loss())
                .initializer(s.network().initializer()).seed(s.seed()).build();
        float[] initial = s.network().init() == null ? network.initialParameters() : Checkpoint.loadParameters(s.network().init(), network);
        return new Prepared(all, train, validation, standardizer, network, initial, read.categories());
    }

    /** Trains from scratch, or from {@code resumeFrom}, and saves the result. */
    Outcome run(TrainingCheckpoint.Saved resumeFrom) {
        // every output is checked before the first epoch: a run must not train for hours and then fail to save
        if (s.output().report() != null) dev.downhill.io.AtomicFile.checkFolderWritable(s.output().report(), "the report");
        try (OutputFolder claimed = OutputFolder.claim(s.output().folder())) {
            return train(resumeFrom);
        }
    }

    private Outcome train(TrainingCheckpoint.Saved resumeFrom) {
        Prepared p = prepare();
        DataSet all = p.all(), train = p.train(), validation = p.validation();
        Standardizer standardizer = p.standardizer();
        Network network = p.network();
        float[] initial = p.initial();
        if (resumeFrom != null && !resumeFrom.network().equals(network)) {
            throw new InputException(resumeFrom.file() + ": holds network " + resumeFrom.network() + ", the run builds " + network);
        }
        Map<String, String> metadata = metadata(s, all.featureNames(), all.targetNames(), standardizer, p.categories());
        if (s.data().file() != null) {
            DataFingerprint data = DataFingerprint.of(s.data().file());
            if (resumeFrom != null) data.requireSameAs(resumeFrom.metadata(), resumeFrom.file());
            data.addTo(metadata);
        }

        out.println("== " + s.name() + ": " + names(all.featureNames(), "features") + " -> "
                + names(all.targetNames(), "targets") + " (" + train.rows() + " training rows"
                + (validation == null ? "" : ", " + validation.rows() + " validation") + ")");
        out.println("network " + network + ", optimiser " + s.training().optimizer() + ", batch " + s.training().config().batchSize()
                + (s.training().config().shuffle() ? ", shuffled" : ", in order")
                + (s.training().regularization(s.seed()).isNone() ? "" : ", " + RunReport.regularization(s.training())));
        out.print(network.summary());
        TrainingResult result;
        double stepFlops = (double) network.flopsPerSample() * Math.min(s.training().config().batchSize(), train.rows());
        try (Backend backend = Backends.open(s.training().backend(), new BackendOptions(s.training().math()), out::println, stepFlops);
             TrainableModel model = load(backend, s, network, initial, s.training().optimizer(), train)) {
            Path[] lastSaved = new Path[1];
            Trainer trainer = new Trainer(s.training().config()).trainingAccuracyOn(train).listener(new ProgressPrinter(out, ProgressPrinter.stdoutIsTerminal()))
                    .listener(new TrainingListener() {
                        @Override public void onEpoch(EpochReport report) { json.epoch(s.name(), report); }
                    })
                    .stopWhen(Interrupt::requested)
                    .checkpoints(s.output().checkpointEvery(), progress -> lastSaved[0] = TrainingCheckpoint.save(s.output().checkpoints(),
                            s.output().keep(), network, model.parameters(), model.optimizerState(), progress, metadata));
            Interrupt.training(true);
            try {
                if (resumeFrom != null) {
                    model.restore(resumeFrom.parameters(), resumeFrom.optimizer());
                    result = trainer.resume(model, train.rows(), validation, resumeFrom.progress());
                } else {
                    result = trainer.train(model, train.rows(), validation);
                }
            } finally {
                Interrupt.training(false);
            }
            if (result.interrupted()) {
                out.println("stopped at epoch " + (result.stoppedAt().epoch() + 1) + ", step " + result.stoppedAt().step()
                        + "; checkpoint " + lastSaved[0]);
                out.println("resume with: " + launcher() + " train --resume " + s.output().checkpoints());
                json.last(s.name(), "stopped", ordered("epoch", result.stoppedAt().epoch() + 1, "step", result.stoppedAt().step(),
                        "checkpoint", String.valueOf(lastSaved[0])));
                return new Outcome(lastSaved[0], true);
            }
            out.printf("final loss %.6f (%s)%n", result.finalLoss(), result.stopReason());
            reportThroughput(result, train.rows());
            if (validation != null) reportValidation(model, network, validation);
            printParameters(network, result.parameters());
            // the model first: nothing that follows (plot, report) may cost the user the trained parameters
            Path checkpoint = saveModel(s, network, result, metadata);
            String curves = LossPlot.write(s.output().folder(), s.name() + " — " + network.widths() + " " + network.loss().id(),
                    result.history());
            out.println("saved " + checkpoint + ", " + curves);
            json.last(s.name(), "end", ordered("reason", result.stopReason(), "epochs", result.history().size(),
                    "final_loss", result.finalLoss(), "restored_epoch", result.restoredEpoch() > 0 ? result.restoredEpoch() : null,
                    "model", checkpoint.toString()));
            // as Keras's BackupAndRestore does: a finished run's checkpoints would only resume it into training again
            int removed = TrainingCheckpoint.deleteAll(s.output().checkpoints());
            if (removed > 0) out.println("removed the finished run's " + removed + " training checkpoint" + (removed == 1 ? "" : "s"));
            if (s.output().report() != null) out.println("report: " + RunReport.write(s.output().report(), s, backend, model, p, result));
            return new Outcome(checkpoint, false);
        }
    }

    /** The run's model on {@code backend}, with --dropout and --clip-norm. */
    static TrainableModel load(Backend backend, RunSettings s, Network network, float[] initial, dev.downhill.optim.Optimizer optimizer,
                               DataSet train) {
        return backend.load(network, initial, optimizer, train, s.training().regularization(s.seed()));
    }

    /** The model of a finished run, with what it was trained on and how: {@code model.safetensors} in its folder. */
    static Path saveModel(RunSettings s, Network network, TrainingResult result, Map<String, String> metadata) {
        Path checkpoint = s.output().folder().resolve("model.safetensors");
        Map<String, String> finalMetadata = new LinkedHashMap<>(metadata);
        finalMetadata.put("downhill.epochs", Integer.toString(result.history().size()));
        finalMetadata.put("downhill.final_loss", Double.toString(result.finalLoss()));
        if (result.restoredEpoch() > 0) finalMetadata.put("downhill.restored_epoch", Integer.toString(result.restoredEpoch()));
        Checkpoint.save(checkpoint, network, result.parameters(), finalMetadata);
        return checkpoint;
    }

    /** How the user runs Downhill, for the hints printed: bin/downhill says, else "downhill". */
    static String launcher() {
        return System.getProperty("downhill.launcher", "downhill");
    }

    private static String names(List<String> names, String what) {
        return names.size() <= 8 ? String.join(", ", names) : names.size() + " " + what;
    }

    /** The CSV's rows, checked cell by cell, targets as the loss takes them. */
    private CsvReader.Result readCsv() {
        CsvReader reader = new CsvReader(s.data().targets(), s.data().features(), s.data().encoding(), s.data().classes())
                .targetsFor(s.network().loss()).categorical(s.data().categorical());
        CsvReader.Result r = reader.read(s.data().file(), s.data().dropBadRows());
        if (r.droppedRows() > 0) {
            out.println("dropped " + r.droppedRows() + " rows with problems (--drop-bad-rows); " + r.data().rows() + " remain");
        }
        return r;
    }

    /** Training samples per second over the epochs after the first, which pays for warm-up and graph capture. */
    private void reportThroughput(TrainingResult result, int rows) {
        List<dev.downhill.train.EpochReport> timed = result.history().size() > 1
                ? result.history().subList(1, result.history().size()) : result.history();
        double seconds = timed.stream().mapToLong(dev.downhill.train.EpochReport::nanos).sum() / 1e9;
        out.printf("throughput %.0f samples/s (%d epochs timed)%n", (double) rows * timed.size() / seconds, timed.size());
    }

    private void reportValidation(TrainableModel model, Network network, DataSet validation) {
        float[] outputs = model.evaluate(validation).outputs();
        if (network.loss().isClassification()) {
            out.printf("validation accuracy %.3f%n", Metrics.accuracy(network.loss(), outputs, validation));
        } else {
            out.printf("validation R² %.4f%n", Metrics.rSquared(outputs, validation));
        }
    }

    /** Every value of a small network; a norm per tensor for a large one. */
    private void printParameters(Network network, float[] params) {
        boolean small = params.length <= PRINTED_PARAMETERS;
        out.println("learned parameters" + (small ? ":" : " (" + params.length + "; L2 norm per tensor):"));
        for (ParameterLayout.Tensor t : network.layout().tensors()) {
            float[] values = ParameterLayout.slice(params, t);
            out.println("  " + t.name() + " " + t.shapeText() + " = "
                    + (small ? java.util.Arrays.toString(values) : String.format("‖·‖ %.4f", Metrics.norm(values))));
        }
    }

    /** What a run's model carries beside its parameters: the settings, columns, optimiser, standardisation and categories. */
    static Map<String, String> metadata(RunSettings s, List<String> features, List<String> targets, Standardizer standardizer,
                                        Map<String, List<String>> categories) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(RunSettingsJson.KEY, RunSettingsJson.write(s));
        meta.put("downhill.features", Checkpoint.formatNames(features));
        meta.put("downhill.targets", Checkpoint.formatNames(targets));
        meta.put("downhill.optimizer", s.training().optimizer().toString());
        meta.put("downhill.batch", Integer.toString(s.training().config().batchSize()));
        meta.put("downhill.regularization", RunReport.regularization(s.training()));
        if (!categories.isEmpty()) meta.put(PredictCommand.CATEGORIES, dev.downhill.io.Json.write(categories));
        if (standardizer != null) {
            meta.put(PredictCommand.MEAN, Standardizer.format(standardizer.mean()));
            meta.put(PredictCommand.STD, Standardizer.format(standardizer.std()));
        }
        return meta;
    }

    /** Pairs of name and value, in order. */
    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], pairs[i + 1]);
        return m;
    }
}
