package dev.downhill.cuda;

import jcuda.Pointer;

import java.nio.ByteOrder;
import java.nio.IntBuffer;

import static jcuda.driver.JCudaDriver.*;

/**
 * Brings an epoch's row order to the device a piece at a time, just ahead of the steps that read
 * it. A copy from pageable memory waits for the stream to drain first, so uploading the whole order
 * before the first step leaves the GPU idle for it (about 0.1 ms per 2¹⁸ rows); from this
 * page-locked staging buffer the copies are queued like kernels, and the host fills the next piece
 * while the GPU runs the steps before it. Owns the staging buffer; the device buffer is the model's.
 */
final class RowOrderUpload implements AutoCloseable {
    /** Rows per copy at least: 256 KiB, so that small batches do not pay a copy per step. */
    static final int MIN_ROWS_PER_COPY = 1 << 16;

    private final CudaContext ctx;
    private final DeviceBuffer order;
    private final Pointer staging = new Pointer();
    private final IntBuffer stagingInts;
    private int[] rows = new int[0];
    private int uploaded;
    private boolean closed;

    RowOrderUpload(CudaContext ctx, DeviceBuffer order) {
        this.ctx = ctx;
        this.order = order;
        long bytes = 4 * order.elements;
        Cuda.check(cuMemAllocHost(staging, bytes), "cuMemAllocHost(" + bytes + " bytes for the row order)");
        stagingInts = staging.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asIntBuffer();
    }

    /**
     * Starts an epoch's order; nothing is copied yet. Waits for the stream first: the copies of the
     * last epoch read the staging buffer until they are done (an epoch ends synchronised anyway).
     */
    void begin(int[] rowOrder) {
        if (rowOrder.length > order.elements) {
            throw new IllegalArgumentException(rowOrder.length + " row indexes for " + order.elements + " rows");
        }
        ctx.synchronize();
        rows = rowOrder;
        uploaded = 0;
    }

    /** Queues the copy of the order up to row {@code end} (and a little beyond) if it is not on its way yet. */
    void through(int end) {
        if (end <= uploaded) return;
        int to = Math.min(rows.length, Math.max(end, uploaded + MIN_ROWS_PER_COPY));
        stagingInts.put(uploaded, rows, uploaded, to - uploaded);
        Cuda.check(cuMemcpyHtoDAsync(order.at(uploaded), staging.withByteOffset(4L * uploaded), 4L * (to - uploaded),
                ctx.stream), "cuMemcpyHtoDAsync(the row order)");
        uploaded = to;
    }

    /** The whole order, for a kernel that runs the epoch in one launch. */
    void all() {
        through(rows.length);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Cuda.check(cuMemFreeHost(staging), "cuMemFreeHost(the row order)");
    }
}
