package dev.downhill.backend;

/**
 * An optimiser's state, flat in {@link dev.downhill.network.Network#layout()} order, for
 * checkpoints that resume training exactly.
 *
 * @param steps  optimiser steps taken (Adam's t)
 * @param first  SGD's momentum buffer, Adam's first moment m, RMSProp's momentum buffer
 * @param second Adam's second moment v, RMSProp's square average; zeros where unused
 */
public record OptimizerState(int steps, float[] first, float[] second) {
    public OptimizerState {
        if (first.length != second.length) throw new IllegalArgumentException("state buffers differ in length");
    }

    /** The state of an optimiser that has taken no step. */
    public static OptimizerState fresh(int parameters) {
        return new OptimizerState(0, new float[parameters], new float[parameters]);
    }
}
