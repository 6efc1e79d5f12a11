package dev.downhill.cuda;

import dev.downhill.backend.Regularization;
import dev.downhill.network.Activation;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How an epoch runs on the GPU, fastest first: the first that fits the network and the batch is
 * taken. Each path declares here, and only here, the math its kernels compute: the hidden
 * activations and the losses (a loss fixes its output activation). Path choice reads it, and the
 * tests cross-check every declared pairing against the general path and check that every other
 * one is refused. Every optimiser runs on every path (optimizer.cuh); dropout and gradient
 * clipping only on the general one.
 */
enum EpochPath {
    /** tiny_net_epoch.cu: one launch, one warp, in registers ({@link TinyNetPlan}) */
    TINY_NET(Activation.hidden(), List.of(Loss.values()), false),
    /** small_net_epoch.cu: one launch, one block, in shared memory ({@link SmallNetPlan}) */
    SMALL_NET(Activation.hidden(), List.of(Loss.values()), false),
    /**
     * a captured graph per step whose gradient is one launch of mlp64_step.cu ({@link Mlp64Plan});
     * its backward pass takes a hidden layer's slope from the layer's output alone (mlp64.cuh),
     * which these activations allow and, say, GELU would not; no softmax cross-entropy
     */
    FUSED_MLP(List.of(Activation.IDENTITY, Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU),
            List.of(Loss.MSE, Loss.BCE), false),
    /** a captured graph of cuBLAS products and elementwise kernels per step, with dropout.cu and clip_norm.cu */
    STEP_GRAPH(Activation.hidden(), List.of(Loss.values()), true);

    private final Set<Activation> hiddenActivations;
    private final Set<Loss> losses;
    private final boolean regularizes;

    EpochPath(List<Activation> hiddenActivations, List<Loss> losses, boolean regularizes) {
        this.hiddenActivations = EnumSet.copyOf(hiddenActivations);
        this.losses = EnumSet.copyOf(losses);
        this.regularizes = regularizes;
    }

    /**
     * The path of steps of {@code rowsPerStep} rows of {@code network} regularised as
     * {@code regularization} says, none faster than {@code fastest}.
     */
    static EpochPath of(Network network, Regularization regularization, int rowsPerStep, EpochPath fastest) {
        for (EpochPath p : values()) {
            if (p.compareTo(fastest) >= 0 && p.supports(regularization) && p.fits(network, rowsPerStep)) return p;
        }
        throw new IllegalStateException("no GPU path computes " + network);
    }

    /** Whether its kernels do what {@code regularization} asks: nothing, or dropout and clipping. */
    boolean supports(Regularization regularization) {
        return regularizes || regularization.isNone();
    }

    /** Whether its kernels compute this network's math: the activation of every hidden layer, and the loss. */
    boolean supports(Network network) {
        List<DenseLayer> layers = network.layers();
        for (DenseLayer hidden : layers.subList(0, layers.size() - 1)) {
            if (!hiddenActivations.contains(hidden.activation())) return false;
        }
        return losses.contains(network.loss());
    }

    private boolean fits(Network network, int rowsPerStep) {
        return supports(network) && switch (this) {
            case TINY_NET -> TinyNetPlan.of(network, rowsPerStep) != null;
            case SMALL_NET -> SmallNetPlan.of(network, rowsPerStep) != null;
            case FUSED_MLP -> Mlp64Plan.of(network, rowsPerStep) != null;
            case STEP_GRAPH -> true;
        };
    }
}
