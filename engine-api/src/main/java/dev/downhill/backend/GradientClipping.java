package dev.downhill.backend;

import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;

/**
 * A backend's capability ({@link Backend#capability}) to clip each training step's gradient by
 * its global norm before the optimiser's update, as {@code torch.nn.utils.clip_grad_norm_} does:
 * with {@code g} every parameter's gradient as one vector, {@code g ← g · min(1, maxNorm / (‖g‖₂ + 1e-6))}.
 * {@link TrainableModel#gradients} still gives the gradient before clipping.
 */
public interface GradientClipping {
    /** As {@link Backend#load}, with every step of the model's training clipped to {@code maxNorm} (> 0). */
    TrainableModel load(Network network, float[] parameters, Optimizer optimizer, DataSet train, double maxNorm);
}
