package dev.downhill.cli;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.TrainableModel;
import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.data.CsvReader;
import dev.downhill.data.DataSet;
import dev.downhill.data.Standardizer;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;
import dev.downhill.train.Metrics;
import dev.downhill.train.Trainer;
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

    TrainingRun(RunSettings settings, PrintStream out) {
        this.s = settings;
        this.out = out;
    }

    /** Trains and returns the path of the saved checkpoint. */
    Path run() {
        DataSet all = s.workload() != null ? s.workload().syntheticData(s.rows(), s.seed())
                : new CsvReader(s.targets(), s.features(), s.encoding(), s.classes()).read(s.data());
        DataSet train = all, validation = null;
        if (s.validation() > 0) {
            DataSet.Split split = all.split(s.validation(), s.seed());
            train = split.train();
            validation = split.validation();
        }
        Standardizer standardizer = s.standardize() ? Standardizer.fit(train) : null;
        if (standardizer != null) {
            train = standardizer.apply(train);
            if (validation != null) validation = standardizer.apply(validation);
        }
        List<DenseLayer> layers = new ArrayList<>(s.hidden());
        layers.add(new DenseLayer(all.targetWidth(), s.output()));
        Network network = Network.builder(all.featureWidth()).layers(layers).loss(s.loss())
                .initializer(s.initializer()).seed(s.seed()).build();
        float[] initial = s.init() == null ? network.initialParameters() : Checkpoint.loadParameters(s.init(), network);

        out.println("== " + s.name() + ": " + String.join(", ", all.featureNames()) + " -> "
                + String.join(", ", s.targets()) + " (" + train.rows() + " training rows"
                + (validation == null ? "" : ", " + validation.rows() + " validation") + ")");
        out.println("network " + network + ", optimiser " + s.optimizer() + ", batch " + s.training().batchSize()
                + (s.training().shuffle() ? ", shuffled" : ", in order"));
        TrainingResult result;
        try (Backend backend = Backends.open(s.backend(), new BackendOptions(s.math()), out::println);
             TrainableModel model = backend.load(network, initial, s.optimizer(), train)) {
            result = new Trainer(s.training()).listener(new ProgressPrinter(out, ProgressPrinter.stdoutIsTerminal()))
                    .train(model, train.rows(), validation);
            out.printf("final loss %.6f (%s)%n", result.finalLoss(), result.stopReason());
            reportThroughput(result, train.rows());
            if (validation != null) reportValidation(model, network, validation);
        }
        printParameters(network, result.parameters());

        Path checkpoint = s.out().resolve("model.safetensors");
        Checkpoint.save(checkpoint, network, result.parameters(), metadata(all, standardizer, result));
        String curves = LossPlot.write(s.out(), s.name() + " — " + network.widths() + " " + network.loss().id(),
                result.history());
        out.println("saved " + checkpoint + ", " + curves);
        return checkpoint;
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

    private Map<String, String> metadata(DataSet data, Standardizer standardizer, TrainingResult result) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("downhill.features", String.join(",", data.featureNames()));
        meta.put("downhill.targets", String.join(",", data.targetNames()));
        meta.put("downhill.optimizer", s.optimizer().toString());
        meta.put("downhill.batch", Integer.toString(s.training().batchSize()));
        meta.put("downhill.epochs", Integer.toString(result.history().size()));
        meta.put("downhill.final_loss", Double.toString(result.finalLoss()));
        if (standardizer != null) {
            meta.put(PredictCommand.MEAN, Standardizer.format(standardizer.mean()));
            meta.put(PredictCommand.STD, Standardizer.format(standardizer.std()));
        }
        return meta;
    }
}
