package dev.downhill.cli;

import dev.downhill.data.CsvReader;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Initializer;
import dev.downhill.network.Loss;
import dev.downhill.optim.Optimizer;
import dev.downhill.train.TrainingConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one training run needs, resolved from the command line and its defaults.
 *
 * @param name        a short name for the run, used in titles and output paths
 * @param data        the CSV file, or null for a workload's synthetic data
 * @param workload    a standard workload trained on synthetic rows, or null
 * @param rows        rows of synthetic data for a workload
 * @param targets     target column names
 * @param features    feature column names, or empty for all others
 * @param encoding    how the targets are read
 * @param hidden      hidden layers; the output layer is derived from the data and loss
 * @param output      the output layer's activation
 * @param validation  fraction of rows held out, or 0
 * @param standardize standardise features with training-set statistics
 * @param init        a checkpoint to start from, or null
 * @param out         the folder for the checkpoint and the plot
 * @param checkpointEvery save a training checkpoint every this many epochs (0: only on Ctrl-C)
 * @param keep        training checkpoints kept
 * @param dropBadRows leave out the rows of the data file that have problems instead of failing
 * @param args        the command line that made these settings, kept in checkpoints for --resume
 * @param report      a folder for an HTML report of the run, or null
 */
record RunSettings(String name, Path data, dev.downhill.workload.Workload workload, int rows, List<String> targets, List<String> features, CsvReader.Targets encoding,
                   int classes, List<DenseLayer> hidden, dev.downhill.network.Activation output, Loss loss,
                   Initializer initializer, long seed, Optimizer optimizer, TrainingConfig training,
                   double validation, boolean standardize, String backend,
                   dev.downhill.backend.BackendOptions.MathMode math, Path init, Path out, int checkpointEvery, int keep,
                   boolean dropBadRows, java.util.List<String> args, Path report) {

    Path checkpoints() {
        return out.resolve("checkpoints");
    }
}
