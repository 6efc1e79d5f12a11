package dev.downhill.cuda;

import dev.downhill.network.Network;

/** How an epoch runs on the GPU, fastest first: the first that fits the network and the batch is taken. */
enum EpochPath {
    /** tiny_net_epoch.cu: one launch, one warp, in registers ({@link TinyNetPlan}) */
    TINY_NET,
    /** small_net_epoch.cu: one launch, one block, in shared memory ({@link SmallNetPlan}) */
    SMALL_NET,
    /** a captured graph per step whose gradient is one launch of mlp64_step.cu ({@link Mlp64Plan}) */
    FUSED_MLP,
    /** a captured graph of cuBLAS products and elementwise kernels per step */
    STEP_GRAPH;

    /** The path of steps of {@code rowsPerStep} rows of {@code network}, none faster than {@code fastest}. */
    static EpochPath of(Network network, int rowsPerStep, EpochPath fastest) {
        for (EpochPath p : values()) {
            if (p.compareTo(fastest) >= 0 && p.fits(network, rowsPerStep)) return p;
        }
        return STEP_GRAPH;
    }

    private boolean fits(Network network, int rowsPerStep) {
        return switch (this) {
            case TINY_NET -> TinyNetPlan.of(network, rowsPerStep) != null;
            case SMALL_NET -> SmallNetPlan.of(network, rowsPerStep) != null;
            case FUSED_MLP -> Mlp64Plan.of(network, rowsPerStep) != null;
            case STEP_GRAPH -> true;
        };
    }
}
