package dev.downhill.train;

/** Told about training as it goes; every method has a default that does nothing. */
public interface TrainingListener {
    default void onStart(int maxEpochs) {}

    default void onEpoch(EpochReport report) {}

    default void onFinish(TrainingResult result) {}
}
