package dev.downhill.backend;

import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;

/**
 * A backend's capability ({@link Backend#capability}) to record every number of one training step
 * of one row: what {@code downhill explain} shows, so that the numbers it shows are the engine's own.
 */
public interface StepTracing {
    /** One optimiser step on training row {@code row} of {@code train}, from {@code parameters}, with every intermediate value. */
    StepTrace traceStep(Network network, float[] parameters, Optimizer optimizer, DataSet train, int row);
}
