package dev.downhill.spark;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Regularization;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.train.TrainingConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * What a data-parallel run on Spark trains and how: sent to every rank's task.
 *
 * @param features        the DataFrame's feature columns, in the network's input order (numbers)
 * @param targets         its target columns (numbers; for cross-entropy, one per class)
 * @param ranks           how many ranks: the data is cut into this many shards, one barrier task each
 * @param standardize     standardise the features with statistics Spark computes over the whole data set
 * @param backend         the backend each rank opens: auto (CUDA on the GPU Spark assigned the task, else
 *                        the CPU), cpu or cuda
 * @param checkpoints     a Hadoop file-system folder (file:, hdfs:, s3a: …) where rank 0 keeps training
 *                        checkpoints for a retried stage to resume from (the run deletes the checkpoints
 *                        it finds there when it starts and when it ends, nothing else); null: none, a
 *                        retry starts over
 * @param checkpointEvery steps between two checkpoints
 * @param timeout         how long a rank waits for the others (joining, in each all-reduce, and for a whole
 *                        step, which a watchdog enforces on NCCL too) before it fails, so that a dead or hung
 *                        rank fails the stage instead of hanging it
 * @param listener        told of every step on every rank (progress; tests inject faults with it), or null
 */
public record TrainingPlan(Network network, Optimizer optimizer, Regularization regularization, TrainingConfig config,
                           List<String> features, List<String> targets, int ranks, boolean standardize, String backend,
                           BackendOptions options, String checkpoints, int checkpointEvery, Duration timeout,
                           StepListener listener) implements Serializable {
    public TrainingPlan {
        features = List.copyOf(features);
        targets = List.copyOf(targets);
        if (ranks < 1) throw new IllegalArgumentException("a run has at least one rank, got " + ranks);
        if (features.size() != network.inputWidth()) {
            throw new IllegalArgumentException(features.size() + " feature columns for a network of " + network.inputWidth() + " inputs");
        }
        if (targets.size() != network.outputWidth()) {
            throw new IllegalArgumentException(targets.size() + " target columns for a network of " + network.outputWidth() + " outputs");
        }
        if (checkpoints != null && checkpointEvery < 1) throw new IllegalArgumentException("checkpoint every 1 step or more");
    }

    /** Told of each step a rank takes, on the executor that runs it. */
    @FunctionalInterface
    public interface StepListener extends Serializable {
        /** @param attempt the stage's attempt (0 first, then each retry) @param step steps taken over the run */
        void onStep(int attempt, int rank, long step);
    }
}
