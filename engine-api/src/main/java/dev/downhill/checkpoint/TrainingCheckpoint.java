package dev.downhill.checkpoint;

import dev.downhill.InputException;
import dev.downhill.backend.OptimizerState;
import dev.downhill.network.Network;
import dev.downhill.train.EpochReport;
import dev.downhill.train.TrainingProgress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A checkpoint to resume training from: a model checkpoint (PyTorch-named parameters and the
 * architecture) plus the optimiser's state as tensors {@code optimizer.first} and
 * {@code optimizer.second}, and the trainer's progress in the metadata. Files are named
 * {@code checkpoint-eEEEEEE-sSSSSSSSS.safetensors} by epoch and step, written atomically, and
 * rotated: only the newest {@code keep} remain, and a new one is complete before an old one
 * goes. Every file in the folder is therefore whole; the newest is the one to resume from.
 */
public final class TrainingCheckpoint {
    static final String OPTIMIZER_PREFIX = "optimizer.";
    private static final String FIRST = OPTIMIZER_PREFIX + "first", SECOND = OPTIMIZER_PREFIX + "second";
    private static final String P = "downhill.progress.";
    /** The loss history, one row of {@link #HISTORY_COLUMNS} per epoch: a tensor, since a long run's would outgrow any header. */
    static final String HISTORY = "progress.history";
    /** The trainer's own tensors, beside the parameters and the optimiser's. */
    static final String PROGRESS_PREFIX = "progress.";
    /** Under early stopping, the best epoch's parameters, flat in layout order. */
    static final String BEST = "progress.best";
    private static final int HISTORY_COLUMNS = 11;
    /** Before a regression's validation MAE, RMSE and R² were kept. */
    private static final int HISTORY_COLUMNS_BEFORE_METRICS = 7;
    private static final Pattern NAME = Pattern.compile("checkpoint-e(\\d{6})-s(\\d{8})\\.safetensors");

    /** What a checkpoint holds. */
    public record Saved(Path file, Network network, float[] parameters, OptimizerState optimizer,
                        TrainingProgress progress, Map<String, String> metadata) {}

    private TrainingCheckpoint() {}

    /** Writes a checkpoint into {@code folder}, then deletes all but the newest {@code keep}. Returns its path. */
    public static Path save(Path folder, int keep, Network network, float[] parameters, OptimizerState optimizer,
                            TrainingProgress progress, Map<String, String> extra) {
        if (keep < 1) throw new IllegalArgumentException("keep at least 1 checkpoint, got " + keep);
        Map<String, SafeTensors.Tensor> tensors = Checkpoint.tensors(network, parameters);
        tensors.put(FIRST, new SafeTensors.Tensor(new int[] {optimizer.first().length}, optimizer.first()));
        tensors.put(SECOND, new SafeTensors.Tensor(new int[] {optimizer.second().length}, optimizer.second()));
        if (progress.best() != null) tensors.put(BEST, new SafeTensors.Tensor(new int[] {progress.best().length}, progress.best()));
        Map<String, String> meta = Checkpoint.networkMetadata(network);
        meta.putAll(extra);
        meta.put(P + "optimizer_steps", Integer.toString(optimizer.steps()));
        meta.put(P + "epoch", Integer.toString(progress.epoch()));
        meta.put(P + "step", Integer.toString(progress.step()));
        meta.put(P + "loss_sum", Double.toString(progress.lossSum()));
        meta.put(P + "plateau", Integer.toString(progress.plateau()));
        Path file = folder.resolve(String.format("checkpoint-e%06d-s%08d.safetensors", progress.epoch(), progress.step()));
        deleteAbandonedTemporaries(folder);
        SafeTensors.write(file, tensors, Map.of(HISTORY, history(progress.history())), meta);
        List<Path> all = list(folder);
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                Files.deleteIfExists(all.get(i));
            } catch (IOException e) {
                throw new InputException(all.get(i) + ": cannot delete an old checkpoint (" + e.getMessage() + ")");
            }
        }
        return file;
    }

    /** A writer killed mid-save leaves its temporary file behind; the next save clears them away. */
    private static void deleteAbandonedTemporaries(Path folder) {
        if (!Files.isDirectory(folder)) return;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("\\.checkpoint-.*\\.tmp")).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new InputException(folder + ": cannot clear abandoned temporary files (" + e.getMessage() + ")");
        }
    }

    /**
     * Deletes the training checkpoints in {@code folder} (and the folder, if that empties it): for
     * a run that has finished and saved its model, whose checkpoints would only resume it into
     * training again. Returns how many were deleted.
     */
    public static int deleteAll(Path folder) {
        if (!Files.isDirectory(folder)) return 0;
        List<Path> all = list(folder);
        try {
            for (Path f : all) Files.deleteIfExists(f);
            try (Stream<Path> left = Files.list(folder)) {
                if (left.findAny().isEmpty()) Files.deleteIfExists(folder);
            }
        } catch (IOException e) {
            throw new InputException(folder + ": cannot delete the finished run's checkpoints (" + e.getMessage() + ")");
        }
        return all.size();
    }

    /** The checkpoints in a folder, oldest first. */
    public static List<Path> list(Path folder) {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> NAME.matcher(f.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new InputException(folder + ": cannot list checkpoints (" + e.getMessage() + ")");
        }
    }

    /** The newest checkpoint in {@code folder}. */
    public static Saved loadLatest(Path folder) {
        List<Path> all = list(folder);
        if (all.isEmpty()) throw new InputException(folder + ": no checkpoint to resume from");
        return load(all.getLast());
    }

    /**
     * The newest checkpoint in {@code folder} that loads; each newer one that does not (a disk
     * error, a hand edit) is passed over and named to {@code say}. Fails when none loads.
     */
    public static Saved loadLatestIntact(Path folder, java.util.function.Consumer<String> say) {
        List<Path> all = list(folder);
        if (all.isEmpty()) throw new InputException(folder + ": no checkpoint to resume from");
        InputException newest = null;
        for (Path file : all.reversed()) {
            try {
                return load(file);
            } catch (InputException e) {
                if (newest == null) newest = e;
                say.accept("skipping a damaged checkpoint: " + e.getMessage());
            }
        }
        throw new InputException(folder + ": none of its " + all.size() + " checkpoints loads; the newest: " + newest.getMessage());
    }

    public static Saved load(Path file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> meta = contents.metadata();
        Network network = Checkpoint.network(file, meta);
        float[] params = Checkpoint.parameters(file, contents, network);
        SafeTensors.Tensor first = contents.tensors().get(FIRST), second = contents.tensors().get(SECOND);
        if (first == null || second == null || first.data().length != params.length || second.data().length != params.length) {
            throw new InputException(file + ": not a training checkpoint (no optimiser state for " + params.length + " parameters)");
        }
        Checkpoint.requireFinite(file, FIRST, first.data());
        Checkpoint.requireFinite(file, SECOND, second.data());
        SafeTensors.Tensor best = contents.tensors().get(BEST);
        if (best != null && best.data().length != params.length) {
            throw new InputException(file + ": " + BEST + " holds " + best.data().length + " values for " + params.length + " parameters");
        }
        if (best != null) Checkpoint.requireFinite(file, BEST, best.data());
        try {
            TrainingProgress progress = new TrainingProgress(integer(meta, "epoch"), integer(meta, "step"),
                    Double.parseDouble(required(meta, "loss_sum")), integer(meta, "plateau"),
                    history(contents.float64().get(HISTORY), meta.get(P + "history")), best == null ? null : best.data());
            OptimizerState state = new OptimizerState(integer(meta, "optimizer_steps"), first.data(), second.data());
            Matcher m = NAME.matcher(file.getFileName().toString());
            if (m.matches() && (Integer.parseInt(m.group(1)) != progress.epoch() || Integer.parseInt(m.group(2)) != progress.step())) {
                throw new InputException(file + ": its name and its contents disagree on the epoch and step");
            }
            return new Saved(file, network, params, state, progress, meta);
        } catch (IllegalArgumentException e) {
            throw new InputException(file + ": the training progress in the metadata is invalid (" + e.getMessage() + ")");
        }
    }

    private static String required(Map<String, String> meta, String key) {
        String v = meta.get(P + key);
        if (v == null) throw new IllegalArgumentException("no " + P + key);
        return v;
    }

    private static int integer(Map<String, String> meta, String key) {
        return Integer.parseInt(required(meta, key));
    }

    /**
     * One row per epoch: epoch, loss, validation loss and accuracy, learning rate, gradient norm,
     * nanoseconds, validation MAE, RMSE and R² — all exact in a double.
     */
    private static SafeTensors.Float64Tensor history(List<EpochReport> history) {
        double[] rows = new double[history.size() * HISTORY_COLUMNS];
        int i = 0;
        for (EpochReport r : history) {
            rows[i++] = r.epoch();
            rows[i++] = r.loss();
            rows[i++] = r.validationLoss();
            rows[i++] = r.validationAccuracy();
            rows[i++] = r.learningRate();
            rows[i++] = r.gradientNorm();
            rows[i++] = r.nanos();
            rows[i++] = r.validationMae();
            rows[i++] = r.validationRmse();
            rows[i++] = r.validationR2();
            rows[i++] = r.trainingAccuracy();
        }
        return new SafeTensors.Float64Tensor(new int[] {history.size(), HISTORY_COLUMNS}, rows);
    }

    /** The history from its tensor, or from the metadata text that checkpoints before the tensor held. */
    private static List<EpochReport> history(SafeTensors.Float64Tensor tensor, String legacyText) {
        List<EpochReport> out = new ArrayList<>();
        if (tensor == null) {
            if (legacyText == null) throw new IllegalArgumentException("no " + HISTORY + " tensor");
            return legacyHistory(legacyText);
        }
        int columns = tensor.shape().length == 2 ? tensor.shape()[1] : -1;
        // 7 columns before the regression metrics, 10 before training accuracy: what is missing is NaN
        if (columns != HISTORY_COLUMNS && columns != 10 && columns != HISTORY_COLUMNS_BEFORE_METRICS) {
            throw new IllegalArgumentException(HISTORY + " has shape " + java.util.Arrays.toString(tensor.shape())
                    + ", expected [epochs, " + HISTORY_COLUMNS + "]");
        }
        double[] d = tensor.data();
        for (int i = 0; i < d.length; i += columns) {
            int row = i, width = columns;
            java.util.function.IntToDoubleFunction at = k -> k < width ? d[row + k] : Double.NaN;
            out.add(new EpochReport((int) d[i], d[i + 1], d[i + 2], d[i + 3], (float) d[i + 4], d[i + 5], (long) d[i + 6],
                    at.applyAsDouble(7), at.applyAsDouble(8), at.applyAsDouble(9), at.applyAsDouble(10)));
        }
        return out;
    }

    /** {@code epoch,loss,val_loss,val_acc,lr,grad_norm,nanos} per epoch, joined by ';'. */
    private static List<EpochReport> legacyHistory(String text) {
        List<EpochReport> out = new ArrayList<>();
        if (text.isEmpty()) return out;
        for (String line : text.split(";")) {
            String[] f = line.split(",");
            if (f.length != 7) throw new IllegalArgumentException("history line '" + line + "'");
            out.add(new EpochReport(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Float.parseFloat(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6])));
        }
        return out;
    }
}
