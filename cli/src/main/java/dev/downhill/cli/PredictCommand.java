package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.TrainableModel;
import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.data.CsvReader;
import dev.downhill.data.Standardizer;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.train.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.downhill.io.AtomicFile;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/** {@code downhill predict}: a saved model's outputs for every row of a CSV file. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Writes a model's predictions for a CSV file as CSV: the feature columns, one column per output, "
                + "and for a classifier the predicted class ('label': the most probable class for cross-entropy, "
                + "0 or 1 at a threshold of 0.5 for bce).")
final class PredictCommand implements Callable<Integer> {
    static final String MEAN = "downhill.standardize.mean";
    static final String STD = "downhill.standardize.std";
    /** Categorical columns and their categories, in the order of their one-hot features: a JSON object of lists. */
    static final String CATEGORIES = "downhill.categories";

    @Option(names = "--model", required = true, paramLabel = "CKPT", description = "a checkpoint saved by downhill train")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "CSV (or NumPy or IDX arrays, as for train) with the model's feature columns")
    Path data;

    @Option(names = "--output", paramLabel = "FILE", description = "where to write the predictions (default: standard output)")
    Path output;

    @Option(names = "--backend", paramLabel = "NAME", description = "auto, cpu or cuda")
    String backend;

    @Option(names = "--probabilities", paramLabel = "true|false", arity = "1", defaultValue = "true",
            description = "a classifier's outputs (its probabilities) beside the predicted class (default: true)")
    boolean probabilities;

    @Override
    public Integer call() {
        if (output != null) {
            OutputFile.refuseInput(output, data, "the data it reads");
            OutputFile.refuseInput(output, model, "the model it uses");
            AtomicFile.checkWritable(output, "predictions");
        }
        Checkpoint checkpoint = Checkpoint.load(model);
        Network network = checkpoint.network();
        if (!probabilities && !network.loss().isClassification()) {
            throw new InputException("--probabilities false leaves a classifier's predicted class; " + model
                    + " is a regression (loss " + network.loss().id() + "), whose outputs are its predictions");
        }
        List<String> featureNames = names(checkpoint, "downhill.features", "x", network.inputWidth());
        List<String> targetNames = names(checkpoint, "downhill.targets", "y", network.outputWidth());
        Standardizer standardizer = checkpoint.metadata().containsKey(MEAN) || checkpoint.metadata().containsKey(STD)
                ? Standardizer.fromSaved(checkpoint.metadata().get(MEAN), checkpoint.metadata().get(STD),
                        network.inputWidth(), model.toString())
                : null;
        float[] features = CsvReader.readColumns(data, featureNames, categories(checkpoint));
        float[] inputs = standardizer == null ? features : standardizer.apply(features);
        float[] outputs;
        try (Backend b = Backends.open(backend, BackendOptions.defaults(), System.err::println);
             TrainableModel m = b.load(network, checkpoint.parameters(), Optimizer.Sgd.plain(1f), null)) {
            outputs = m.predict(inputs);
        }
        AtomicFile.Content csv = sink -> write(sink, featureNames, targetNames, features, outputs, network, probabilities);
        if (output != null) {
            AtomicFile.write(output, "predictions", csv);
        } else {
            writeToStandardOutput(csv);
        }
        return 0;
    }

    /** The model's categorical columns, from its metadata; none for a model without. */
    private java.util.Map<String, List<String>> categories(Checkpoint checkpoint) {
        String text = checkpoint.metadata().get(CATEGORIES);
        if (text == null) return java.util.Map.of();
        InputException damaged = new InputException(model + ": metadata " + CATEGORIES + " is not an object of category lists");
        Object parsed;
        try {
            parsed = dev.downhill.io.Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw damaged;
        }
        if (!(parsed instanceof java.util.Map<?, ?> saved)) throw damaged;
        java.util.Map<String, List<String>> categories = new java.util.LinkedHashMap<>();
        for (var e : saved.entrySet()) {
            if (!(e.getValue() instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) throw damaged;
            categories.put((String) e.getKey(), list.stream().map(String.class::cast).toList());
        }
        return categories;
    }

    /** Standard output with its errors reported: a full disk behind {@code > file} must not pass for success. */
    private static void writeToStandardOutput(AtomicFile.Content csv) {
        System.out.flush();
        try {
            OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
            csv.writeTo(stdout);
            stdout.flush();
        } catch (IOException e) {
            throw new InputException("standard output: cannot write predictions (" + AtomicFile.reason(e) + ")");
        }
    }

    private List<String> names(Checkpoint c, String key, String prefix, int count) {
        List<String> saved = c.names(model, key);
        List<String> names = saved != null ? saved : IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        if (names.size() != count) {
            throw new InputException(model + ": checkpoint metadata " + key + " names " + names.size()
                    + " columns, the network has " + count);
        }
        return names;
    }

    private static void write(OutputStream sink, List<String> featureNames, List<String> targetNames, float[] features,
                              float[] outputs, Network network, boolean probabilities) throws IOException {
        int in = network.inputWidth(), k = network.outputWidth();
        boolean classes = network.loss().isClassification(), outputsToo = probabilities || !classes;
        int[] labels = classes ? Metrics.predictedClasses(network.loss(), outputs, k) : new int[0];
        int labelsPerRow = !classes ? 0 : network.loss() == Loss.BCE ? k : 1;
        Writer w = new OutputStreamWriter(sink, StandardCharsets.UTF_8);
        List<String> header = new ArrayList<>(featureNames);
        if (outputsToo) for (String t : targetNames) header.add("pred_" + t);
        header.addAll(labelColumns(featureNames, targetNames, labelsPerRow));
        w.write(String.join(",", header.stream().map(PredictCommand::cell).toList()));
        w.write('\n');
        StringBuilder line = new StringBuilder();
        for (int r = 0; r < features.length / in; r++) {
            line.setLength(0);
            for (int c = 0; c < in; c++) line.append(features[r * in + c]).append(',');
            if (outputsToo) for (int c = 0; c < k; c++) line.append(outputs[r * k + c]).append(',');
            for (int c = 0; c < labelsPerRow; c++) line.append(labels[r * labelsPerRow + c]).append(',');
            line.setLength(line.length() - 1);
            w.append(line).append('\n');
        }
        w.flush();
    }

    /**
     * The predicted classes' columns: {@code label}, or for a bce model of several outputs one
     * {@code label_TARGET} each; prefixed {@code predicted_} where a feature already has the name.
     */
    private static List<String> labelColumns(List<String> featureNames, List<String> targetNames, int perRow) {
        List<String> names = switch (perRow) {
            case 0 -> List.of();                                     // a regression names no class
            case 1 -> List.of("label");
            default -> targetNames.stream().map(t -> "label_" + t).toList();
        };
        return names.stream().map(n -> featureNames.contains(n) ? "predicted_" + n : n).toList();
    }

    /** A column name as a CSV cell: quoted where it holds a comma, a quote or a line break. */
    private static String cell(String name) {
        return name.matches("[^,\"\r\n]*") ? name : '"' + name.replace("\"", "\"\"") + '"';
    }
}
