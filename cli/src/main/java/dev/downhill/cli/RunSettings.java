package dev.downhill.cli;

import dev.downhill.backend.BackendOptions;
import dev.downhill.data.CsvReader;
import dev.downhill.network.Activation;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Initializer;
import dev.downhill.network.Loss;
import dev.downhill.optim.Optimizer;
import dev.downhill.train.TrainingConfig;
import dev.downhill.workload.Workload;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one training run needs, resolved from the command line and its defaults: what it
 * reads, what it builds, how it trains and what it writes. A training checkpoint holds these
 * (see {@link RunSettingsJson}), so that {@code --resume} continues the run it saved.
 *
 * @param name a short name for the run, used in titles and output paths
 * @param seed the seed of initialisation, the validation split and shuffling
 */
record RunSettings(String name, long seed, DataSpec data, NetworkSpec network, TrainingSpec training, OutputSpec output) {

    /**
     * @param file        the CSV file, or null for a workload's synthetic data
     * @param workload    a standard workload trained on synthetic rows, or null
     * @param rows        rows of synthetic data for a workload
     * @param targets     target column names
     * @param features    feature column names, or empty for all others
     * @param encoding    how the targets are read
     * @param classes     cross-entropy classes of a label column, or 0 for the largest label + 1
     * @param validation  fraction of rows held out, or 0
     * @param standardize standardise features with training-set statistics
     * @param dropBadRows leave out the rows of the data file that have problems instead of failing
     * @param categorical feature columns of strings, each one-hot encoded
     */
    record DataSpec(Path file, Workload workload, int rows, List<String> targets, List<String> features,
                    CsvReader.Targets encoding, int classes, double validation, boolean standardize, boolean dropBadRows,
                    List<String> categorical) {
        DataSpec {
            targets = List.copyOf(targets);
            features = List.copyOf(features);
            categorical = List.copyOf(categorical);
        }
    }

    /**
     * @param hidden      hidden layers; the output layer's width comes from the data
     * @param output      the output layer's activation
     * @param init        a checkpoint to start from, or null
     */
    record NetworkSpec(List<DenseLayer> hidden, Activation output, Loss loss, Initializer initializer, Path init) {
        NetworkSpec {
            hidden = List.copyOf(hidden);
        }
    }

    /**
     * @param backend  the backend asked for: auto, cpu, cuda, or null for the environment's choice
     * @param clipNorm clip each step's gradient to this global norm (torch.nn.utils.clip_grad_norm_); 0: never
     * @param dropout  inverted dropout on the hidden layers in training: the probability a unit is zeroed; 0: none
     */
    record TrainingSpec(Optimizer optimizer, TrainingConfig config, String backend, BackendOptions.MathMode math,
                        double clipNorm, double dropout) {
        /** What each step does beyond the gradient step; the dropout masks are keyed by the run's {@code seed}. */
        dev.downhill.backend.Regularization regularization(long seed) {
            return dev.downhill.backend.Regularization.NONE.withDropout(dropout, seed).withClipNorm(clipNorm);
        }
    }

    /**
     * @param folder          the folder for the checkpoint and the plot
     * @param checkpointEvery save a training checkpoint every this many epochs (0: only on Ctrl-C)
     * @param keep            training checkpoints kept
     * @param report          a folder for an HTML report of the run, or null
     * @param json            a file for one JSON object per epoch, or null
     * @param quiet           print nothing but errors
     */
    record OutputSpec(Path folder, int checkpointEvery, int keep, Path report, Path json, boolean quiet) {
        Path checkpoints() {
            return folder.resolve("checkpoints");
        }
    }
}
