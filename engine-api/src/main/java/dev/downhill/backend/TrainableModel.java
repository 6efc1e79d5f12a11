package dev.downhill.backend;

import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;

/**
 * A network with its parameters, optimiser state and training data, held by a backend.
 * The contract is coarse so that a backend can fuse and keep work on its device: it runs
 * many steps a call (a whole epoch, or as much of one as the trainer hands it between two
 * checks for a stop request). The same contract exposes outputs, loss and gradients without
 * updating, so that backends can be checked against each other.
 */
public interface TrainableModel extends AutoCloseable {

    Network network();

    Optimizer optimizer();

    /**
     * Optimiser steps over the training rows in {@code rowOrder}, {@code batchSize} at a time (the
     * last batch may be shorter), each batch one step with learning rate {@code learningRate}: an
     * epoch, or a run of its steps. Stops at the first step whose loss is not finite and says which.
     */
    StepsResult trainSteps(int[] rowOrder, int batchSize, float learningRate);

    /**
     * Outputs and mean loss for the training rows {@code rows} as one batch, with the gradient of that
     * loss, as the next training step would compute them (with its dropout mask, before clipping);
     * nothing is updated.
     */
    default BatchGradients gradients(int[] rows) {
        return gradients(rows, 0);
    }

    /**
     * As {@link #gradients(int[])} for rows that are part of a larger batch, from its row
     * {@code firstRow} on: the first half of a data-parallel step, each rank computing its share of
     * the batch. Only dropout's masks depend on {@code firstRow}: they are the whole batch's, so that
     * ranks drop what one process training on the whole batch would.
     */
    BatchGradients gradients(int[] rows, int firstRow);

    /**
     * The second half of a data-parallel step: one optimiser step with {@code gradient} (in
     * {@link Network#layout()} order; the ranks' gradients combined), clipped first where the model
     * clips, exactly as {@link #trainSteps} would take it had it computed that gradient itself.
     */
    void applyGradients(float[] gradient, float learningRate);

    /** Outputs {@code [rows, outputs]} and mean loss of a data set; nothing is updated. */
    Evaluation evaluate(DataSet data);

    /** Outputs {@code [rows, outputs]} for features {@code [rows, inputWidth]}, row-major. */
    float[] predict(float[] features);

    /** What this model can do beyond this interface ({@link DeviceGradient}), as an interface it implements; empty where it cannot. */
    default <T> java.util.Optional<T> capability(Class<T> kind) {
        return kind.isInstance(this) ? java.util.Optional.of(kind.cast(this)) : java.util.Optional.empty();
    }

    /** A copy of the parameters, in {@link Network#layout()} order. */
    float[] parameters();

    /** A copy of the optimiser's state. */
    OptimizerState optimizerState();

    /** Replaces the parameters and the optimiser's state, as a checkpoint saved them. */
    void restore(float[] parameters, OptimizerState state);

    @Override
    void close();
}
