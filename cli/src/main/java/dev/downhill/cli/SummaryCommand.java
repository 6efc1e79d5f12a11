package dev.downhill.cli;

import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.network.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code downhill summary}: what a saved model is, as Keras's {@code model.summary()} shows a model,
 * with what Downhill recorded of its training: the data's columns, the standardisation, the
 * optimiser, the epochs.
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Prints a saved model's layers, shapes and parameter counts, and what its metadata records of its training.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CKPT", description = "a model or training checkpoint saved by downhill train")
    Path model;

    @Override
    public Integer call() {
        Checkpoint checkpoint = Checkpoint.load(model);
        Network network = checkpoint.network();
        Map<String, String> meta = checkpoint.metadata();
        PrintStream out = System.out;
        out.println(model + ": network " + network);
        out.print(network.summary());
        List<String> features = checkpoint.names(model, "downhill.features"), targets = checkpoint.names(model, "downhill.targets");
        if (features != null) out.println("features  " + String.join(", ", features));
        if (targets != null) out.println("targets   " + String.join(", ", targets));
        out.println("standardised  " + (meta.containsKey(PredictCommand.MEAN)
                ? "yes: mean " + meta.get(PredictCommand.MEAN) + "; std " + meta.get(PredictCommand.STD) : "no (takes raw features)"));
        line(out, meta, "optimiser", "downhill.optimizer");
        line(out, meta, "batch", "downhill.batch");
        line(out, meta, "regularisation", "downhill.regularization");
        line(out, meta, "epochs trained", "downhill.epochs");
        line(out, meta, "restored epoch", "downhill.restored_epoch");
        line(out, meta, "final loss", "downhill.final_loss");
        line(out, meta, "training checkpoint at epoch", "downhill.progress.epoch");
        if (meta.containsKey("downhill.data.path")) {
            out.println("data      " + meta.get("downhill.data.path") + " (" + meta.get("downhill.data.bytes") + " bytes, sha256 "
                    + meta.get("downhill.data.sha256") + ")");
        }
        return 0;
    }

    private static void line(PrintStream out, Map<String, String> meta, String label, String key) {
        if (meta.containsKey(key)) out.println(label + "  " + meta.get(key));
    }
}
