package dev.downhill.testing;

import dev.downhill.backend.TrainableModel;
import dev.downhill.parallel.DataParallelTrainer;
import dev.downhill.train.TrainingConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * What data-parallel training must equal: one process stepping on every rank's rows of a step put
 * together in rank order, the gradient of that whole batch, then the update.
 */
public final class OneProcess {
    private OneProcess() {}

    /**
     * Trains {@code model} (loaded with every row) as the ranks would, where rank r's local row j is
     * row {@code shards[r][j]} of the model's data; returns the parameters.
     */
    public static float[] train(TrainableModel model, TrainingConfig config, int[][] shards) {
        int b = config.batchSize(), steps = 0;
        for (int[] shard : shards) steps = Math.max(steps, (shard.length + b - 1) / b);
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            int[][] orders = new int[shards.length][];
            for (int r = 0; r < shards.length; r++) orders[r] = DataParallelTrainer.shardOrder(config, shards[r].length, epoch, r);
            float rate = config.schedule().rate(model.optimizer().learningRate(), epoch);
            for (int step = 0; step < steps; step++) {
                List<Integer> rows = new ArrayList<>();
                for (int r = 0; r < shards.length; r++) {
                    for (int i = step * b; i < Math.min(shards[r].length, (step + 1) * b); i++) rows.add(shards[r][orders[r][i]]);
                }
                int[] batch = rows.stream().mapToInt(Integer::intValue).toArray();
                model.applyGradients(model.gradients(batch).gradients(), rate);
            }
        }
        return model.parameters();
    }

    /** The largest difference between two parameter vectors, relative to the first's magnitude (at least 1e-3). */
    public static double largestRelativeDifference(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / Math.max(1e-3, Math.abs(expected[i])));
        }
        return worst;
    }
}
