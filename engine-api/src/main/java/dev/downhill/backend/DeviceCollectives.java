package dev.downhill.backend;

import dev.downhill.parallel.Collective;

/**
 * A backend's capability ({@link Backend#capability}) to join its device to a collective that sums
 * device buffers (NCCL on CUDA), one rank per device; its models offer {@link DeviceGradient}.
 */
public interface DeviceCollectives {
    /** A new collective's identity: made by one rank, then given to every other (Spark's allGather). */
    byte[] newCollective();

    /** Joins the collective {@code id} as {@code rank} of {@code ranks}, on this backend's device. */
    Collective join(byte[] id, int ranks, int rank);
}
