package dev.downhill.backend;

/**
 * What a run of training steps ({@link TrainableModel#trainSteps}) gave.
 *
 * @param meanLoss       Σ(batch mean loss × rows in batch) / rows, over the steps taken
 * @param steps          optimiser steps taken
 * @param nonFiniteStep  0-based step whose loss was NaN or infinite (training stopped there), or −1
 */
public record StepsResult(double meanLoss, int steps, int nonFiniteStep) {
    public boolean diverged() {
        return nonFiniteStep >= 0;
    }
}
