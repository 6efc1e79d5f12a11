package dev.downhill.train;

import dev.downhill.InputException;
import dev.downhill.optim.LearningRateSchedule;

/**
 * How to train.
 *
 * @param epochs    the most epochs to run, at least 1
 * @param batchSize rows per optimiser step; 1 is row by row
 * @param shuffle   visit rows in a seeded random order each epoch (else in file order)
 * @param seed      the seed of the shuffling
 * @param schedule  the learning rate of each epoch from the optimiser's base rate
 * @param stopping  when to stop before {@code epochs}
 */
public record TrainingConfig(int epochs, int batchSize, boolean shuffle, long seed,
                             LearningRateSchedule schedule, StoppingRule stopping) implements java.io.Serializable {
    public TrainingConfig {
        if (epochs < 1) throw new InputException("epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new InputException("batch size must be at least 1, got " + batchSize);
        java.util.Objects.requireNonNull(schedule, "schedule");
        java.util.Objects.requireNonNull(stopping, "stopping");
    }

    /** Fixed epochs, constant rate, rows in order. */
    public static TrainingConfig of(int epochs, int batchSize) {
        return new TrainingConfig(epochs, batchSize, false, 0, new LearningRateSchedule.Constant(),
                new StoppingRule.FixedEpochs());
    }

    public TrainingConfig shuffled(long seed) {
        return new TrainingConfig(epochs, batchSize, true, seed, schedule, stopping);
    }

    public TrainingConfig withSchedule(LearningRateSchedule schedule) {
        return new TrainingConfig(epochs, batchSize, shuffle, seed, schedule, stopping);
    }

    public TrainingConfig withStopping(StoppingRule stopping) {
        return new TrainingConfig(epochs, batchSize, shuffle, seed, schedule, stopping);
    }
}
