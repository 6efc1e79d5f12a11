package dev.downhill.parallel;

/**
 * The ranks of a data-parallel run, as one group that sums buffers: what synchronous
 * data-parallel training needs of a network (NCCL's all-reduce, or {@link RingAllReduce} over TCP).
 */
public interface Collective extends AutoCloseable {
    /** This rank, in [0, {@link #worldSize()}). */
    int rank();

    int worldSize();

    /**
     * {@code buffer} ← the element-wise sum of every rank's {@code buffer} (the same length on every
     * rank), added in an order fixed by the world size alone: every rank gets the same bits, and a
     * rerun gets them again. Fails with {@link CollectiveException}, instead of waiting for ever,
     * when a rank fails, stops answering or is {@link #abort aborted}.
     */
    void allReduceSum(float[] buffer);

    /** Whether it sums device buffers ({@link #allReduceSumOnDevice}) rather than host ones (NCCL, not the TCP ring). */
    default boolean sumsDeviceBuffers() {
        return false;
    }

    /**
     * As {@link #allReduceSum}, for {@code count} floats at a device address, enqueued on {@code stream}
     * after the work already there: a collective that {@link #sumsDeviceBuffers() sums device buffers}.
     */
    default void allReduceSumOnDevice(long address, long count, long stream) {
        throw new UnsupportedOperationException("this collective sums host buffers");
    }

    /** Makes the collective fail on this rank, and so on the others, from any thread: a watchdog's or a cancelled task's way out. */
    void abort();

    @Override
    void close();

    /** The collective of a run of one rank: sums are the buffer itself. */
    static Collective single() {
        return new Collective() {
            @Override public int rank() { return 0; }
            @Override public int worldSize() { return 1; }
            @Override public void allReduceSum(float[] buffer) {}
            @Override public void abort() {}
            @Override public void close() {}
        };
    }
}
