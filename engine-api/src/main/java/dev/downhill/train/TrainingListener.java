package dev.downhill.train;

/** Told about training as it goes; every method has a default that does nothing. */
public interface TrainingListener {
    default void onStart(int maxEpochs) {}

    /**
     * Within an epoch: {@code stepsDone} of its {@code stepsPerEpoch} steps are done (0-based
     * {@code epoch}). Called between chunks of steps, when training can be stopped (about ten times
     * a second), and not at all when an epoch runs as one piece.
     */
    default void onSteps(int epoch, int stepsDone, int stepsPerEpoch) {}

    default void onEpoch(EpochReport report) {}

    default void onFinish(TrainingResult result) {}
}
