package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.TrainableModel;
import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.data.CsvReader;
import dev.downhill.data.Standardizer;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code downhill predict}: a saved model's outputs for every row of a CSV file. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Writes a model's predictions for a CSV file as CSV (the feature columns, then one column per output).")
final class PredictCommand implements Callable<Integer> {
    static final String MEAN = "downhill.standardize.mean";
    static final String STD = "downhill.standardize.std";

    @Option(names = "--model", required = true, paramLabel = "CKPT", description = "a checkpoint saved by downhill train")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "CSV with the model's feature columns")
    Path data;

    @Option(names = "--output", paramLabel = "FILE", description = "where to write the predictions (default: standard output)")
    Path output;

    @Option(names = "--backend", paramLabel = "NAME", description = "auto, cpu or cuda")
    String backend;

    @Override
    public Integer call() throws IOException {
        Checkpoint checkpoint = Checkpoint.load(model);
        Network network = checkpoint.network();
        List<String> featureNames = names(checkpoint, "downhill.features", "x", network.inputWidth());
        List<String> targetNames = names(checkpoint, "downhill.targets", "y", network.outputWidth());
        float[] features = CsvReader.readColumns(data, featureNames);
        float[] inputs = features;
        if (checkpoint.metadata().containsKey(MEAN)) {
            Standardizer standardizer = new Standardizer(Standardizer.parse(checkpoint.metadata().get(MEAN), MEAN),
                    Standardizer.parse(checkpoint.metadata().get(STD), STD));
            inputs = standardizer.apply(features);
        }
        float[] outputs;
        try (Backend b = Backends.open(backend, BackendOptions.defaults(), System.err::println);
             TrainableModel m = b.load(network, checkpoint.parameters(), Optimizer.Sgd.plain(1f), null)) {
            outputs = m.predict(inputs);
        }
        write(featureNames, targetNames, features, outputs, network);
        return 0;
    }

    private static List<String> names(Checkpoint c, String key, String prefix, int count) {
        String text = c.metadata().get(key);
        List<String> names = text == null ? java.util.stream.IntStream.range(0, count).mapToObj(i -> prefix + i).toList()
                : Arrays.asList(text.split(","));
        if (names.size() != count) {
            throw new InputException("checkpoint metadata " + key + " names " + names.size() + " columns, the network has " + count);
        }
        return names;
    }

    private void write(List<String> featureNames, List<String> targetNames, float[] features, float[] outputs,
                       Network network) throws IOException {
        int in = network.inputWidth(), k = network.outputWidth();
        Writer sink = output == null ? new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8)
                : Files.newBufferedWriter(output);
        try (PrintWriter w = new PrintWriter(sink)) {
            w.println(String.join(",", featureNames) + "," + String.join(",", targetNames.stream().map(t -> "pred_" + t).toList()));
            for (int r = 0; r < features.length / in; r++) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < in; c++) line.append(features[r * in + c]).append(',');
                for (int c = 0; c < k; c++) line.append(c > 0 ? "," : "").append(outputs[r * k + c]);
                w.println(line);
            }
        }
    }
}
