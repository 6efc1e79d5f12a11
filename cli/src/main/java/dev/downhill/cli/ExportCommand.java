package dev.downhill.cli;

import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.data.Standardizer;
import dev.downhill.io.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code downhill export}: a model that takes raw features, as a plain PyTorch
 * {@code nn.Sequential} state dict or as an ONNX model. A model trained with standardised
 * features keeps μ and σ in its metadata, which neither reads; exporting folds them into the
 * first layer.
 */
@Command(name = "export", header = "Writes a model for PyTorch or ONNX that takes raw features (standardisation folded in).",
        mixinStandardHelpOptions = true,
        description = {"Writes a model that takes raw features: the standardisation (if any) folded into the first",
                "layer, W' = W/σ and b' = b − W·μ/σ. --output: a safetensors state dict, so load_state_dict(load_file(FILE))",
                "is the whole model; --onnx: an ONNX model (opset 17) with softmax or sigmoid outputs, as predict gives."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "CKPT", description = "a checkpoint saved by downhill train")
    Path model;

    @Option(names = "--output", paramLabel = "FILE", description = "the exported safetensors file")
    Path output;

    @Option(names = "--onnx", paramLabel = "FILE", description = "the exported ONNX model (input 'input' [N, features], output 'output')")
    Path onnx;

    @Override
    public Integer call() {
        if ((output == null) == (onnx == null)) throw new dev.downhill.InputException("give one of --output (safetensors) or --onnx");
        Path target = output != null ? output : onnx;
        OutputFile.refuseInput(target, model, "the model it exports");
        AtomicFile.checkWritable(target, "the export");
        Checkpoint checkpoint = Checkpoint.load(model);
        Map<String, String> meta = new LinkedHashMap<>(checkpoint.metadata());
        float[] parameters = checkpoint.parameters();
        String mean = meta.remove(PredictCommand.MEAN), std = meta.remove(PredictCommand.STD);
        if (mean != null || std != null) {
            Standardizer standardizer = Standardizer.fromSaved(mean, std, checkpoint.network().inputWidth(), model.toString());
            parameters = standardizer.foldInto(checkpoint.network(), parameters);
            System.out.println("folded the standardisation of " + checkpoint.network().inputWidth() + " features into layer 0");
        } else {
            System.out.println("no standardisation to fold: the model already takes raw features");
        }
        if (onnx != null) {
            dev.downhill.onnx.OnnxModel.write(onnx, checkpoint.network(), parameters);
            System.out.println("wrote " + onnx + ": ONNX (opset 17), input 'input' [N, " + checkpoint.network().inputWidth()
                    + "] of raw features, output 'output' [N, " + checkpoint.network().outputWidth() + "]");
            return 0;
        }
        meta.put("downhill.exported_from", model.toAbsolutePath().toString());
        Checkpoint.save(output, checkpoint.network(), parameters, meta);
        System.out.println("wrote " + output + ": load_state_dict(load_file(\"" + output.getFileName()
                + "\")) into an nn.Sequential of " + checkpoint.network().widths() + " takes raw features");
        return 0;
    }
}
