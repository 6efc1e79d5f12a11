package dev.downhill.backend;

import java.util.List;

/**
 * Every number of one training step of one row, as a backend that can trace ({@link StepTracing})
 * computed them: for the explainer, which shows backpropagation value by value.
 *
 * @param x      the row's features
 * @param y      its targets
 * @param loss   the loss before the step
 * @param rate   the learning rate of the step
 * @param layers one trace per dense layer, input to output
 */
public record StepTrace(float[] x, float[] y, float loss, float rate, List<Layer> layers) {
    /**
     * @param weights      W before the step, {@code [out, in]} row-major
     * @param bias         b before the step
     * @param z            pre-activations {@code x·Wᵀ + b}
     * @param a            activations act(z)
     * @param lossGradient ∂L/∂a, or null on an output layer whose loss gives ∂L/∂z directly (BCE, cross-entropy)
     * @param slope        act'(z), or null where ∂L/∂z comes from the loss directly
     * @param delta        ∂L/∂z
     * @param weightGradient ∂L/∂W = δ·a_prevᵀ
     * @param biasGradient ∂L/∂b = δ
     * @param weightsAfter W after the optimiser step
     * @param biasAfter    b after the optimiser step
     * @param first        the optimiser's first state after the step (Adam's m, SGD's momentum buffer), or null
     * @param second       its second state after the step (Adam's v, RMSProp's square average), or null
     */
    public record Layer(float[] weights, float[] bias, float[] z, float[] a, float[] lossGradient, float[] slope,
                        float[] delta, float[] weightGradient, float[] biasGradient, float[] weightsAfter,
                        float[] biasAfter, State first, State second) {}

    /** One optimiser state of a layer: its values for W and for b. */
    public record State(float[] weights, float[] bias) {}
}
