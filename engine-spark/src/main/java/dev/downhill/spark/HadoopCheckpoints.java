package dev.downhill.spark;

import dev.downhill.backend.OptimizerState;
import dev.downhill.checkpoint.TrainingCheckpoint;
import dev.downhill.network.Network;
import dev.downhill.train.TrainingProgress;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * Training checkpoints (Downhill's format, {@link TrainingCheckpoint}) in a folder of any Hadoop
 * file system, so that every executor of a cluster reads what rank 0 wrote. A checkpoint is
 * written to a local file, copied beside its final name and renamed: a reader never sees half of one.
 */
final class HadoopCheckpoints {
    private static final String PREFIX = "checkpoint-";
    private final Path folder;
    private final FileSystem fs;

    HadoopCheckpoints(String folder) {
        try {
            this.folder = new Path(folder);
            this.fs = FileSystem.get(URI.create(folder), new Configuration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the checkpoint folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The newest checkpoint, or null where there is none yet. */
    TrainingCheckpoint.Saved newest() {
        try {
            if (!fs.exists(folder)) return null;
            FileStatus[] found = fs.listStatus(folder, p -> p.getName().startsWith(PREFIX) && p.getName().endsWith(".safetensors"));
            if (found.length == 0) return null;
            // the names are checkpoint-eEEEEEE-sSSSSSSSS: the newest sorts last
            Path newest = Arrays.stream(found).map(FileStatus::getPath).max(Comparator.comparing(Path::getName)).orElseThrow();
            java.nio.file.Path local = Files.createTempDirectory("downhill-resume");
            java.nio.file.Path copy = local.resolve(newest.getName());
            fs.copyToLocalFile(false, newest, new Path(copy.toUri()), true);
            try {
                return TrainingCheckpoint.load(copy);
            } finally {
                Files.deleteIfExists(copy);
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoints in " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Writes a checkpoint of this progress, keeping the newest two. */
    void save(Network network, float[] parameters, OptimizerState optimizer, TrainingProgress progress) {
        try {
            java.nio.file.Path local = Files.createTempDirectory("downhill-checkpoint");
            java.nio.file.Path file = TrainingCheckpoint.save(local, 1, network, parameters, optimizer, progress, Map.of());
            fs.mkdirs(folder);
            Path part = new Path(folder, "." + file.getFileName() + ".part"), done = new Path(folder, file.getFileName().toString());
            fs.copyFromLocalFile(true, true, new Path(file.toUri()), part);
            if (!fs.rename(part, done)) throw new IOException("cannot rename " + part + " to " + done);
            Files.deleteIfExists(local);
            FileStatus[] all = fs.listStatus(folder, p -> p.getName().startsWith(PREFIX));
            Arrays.sort(all, Comparator.comparing(s -> s.getPath().getName()));
            for (int i = 0; i < all.length - 2; i++) fs.delete(all[i].getPath(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint into " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the folder's checkpoints (and their unfinished copies), and the folder if that empties
     * it; nothing else in it. Before a run, so that it cannot resume another run's; after, because
     * the run they would resume has finished.
     */
    void deleteAll() {
        try {
            if (!fs.exists(folder)) return;
            for (FileStatus f : fs.listStatus(folder, p -> p.getName().startsWith(PREFIX) || p.getName().startsWith("." + PREFIX))) {
                fs.delete(f.getPath(), false);
            }
            if (fs.listStatus(folder).length == 0) fs.delete(folder, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the checkpoints in " + folder + ": " + e.getMessage(), e);
        }
    }
}
