package dev.downhill.cpu;

import dev.downhill.optim.Optimizer;

import java.util.List;

/**
 * One optimiser step over every parameter tensor: {@code params.get(i)} is updated from
 * {@code grads.get(i)}. Each optimiser's state is one array per tensor, as PyTorch keeps it.
 */
abstract class ParameterUpdate {
    protected final List<float[]> params;
    protected final List<float[]> grads;
    private int steps;

    ParameterUpdate(List<float[]> params, List<float[]> grads) {
        this.params = params;
        this.grads = grads;
    }

    /** Applies one step with learning rate {@code lr}. */
    final void step(float lr) {
        steps++;
        for (int t = 0; t < params.size(); t++) update(t, params.get(t), grads.get(t), lr);
    }

    /** Updates tensor {@code t}. */
    abstract void update(int t, float[] w, float[] g, float lr);

    /** Per-tensor state arrays for {@link dev.downhill.backend.OptimizerState#first()} (none: null). */
    abstract float[][] first();

    /** Per-tensor state arrays for {@link dev.downhill.backend.OptimizerState#second()} (none: null). */
    abstract float[][] second();

    /** Optimiser steps taken, counting the one being applied while {@link #update} runs (Adam's t). */
    final int steps() {
        return steps;
    }

    final void setSteps(int steps) {
        this.steps = steps;
    }

    static ParameterUpdate of(Optimizer optimizer, List<float[]> params, List<float[]> grads) {
        return switch (optimizer) {
            case Optimizer.Sgd sgd -> new SgdUpdate(sgd, params, grads);
            case Optimizer.Adam adam -> new AdamUpdate(adam.beta1(), adam.beta2(), adam.epsilon(), adam.weightDecay(),
                    false, params, grads);
            case Optimizer.AdamW adamW -> new AdamUpdate(adamW.beta1(), adamW.beta2(), adamW.epsilon(),
                    adamW.weightDecay(), true, params, grads);
            case Optimizer.RmsProp rms -> new RmsPropUpdate(rms, params, grads);
        };
    }

    /** One zeroed state array shaped like each parameter tensor. */
    static float[][] stateLike(List<float[]> params) {
        return params.stream().map(p -> new float[p.length]).toArray(float[][]::new);
    }
}
