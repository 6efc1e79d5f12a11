package dev.downhill.cuda;

import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

import java.nio.ByteOrder;
import java.nio.IntBuffer;

import static jcuda.driver.JCudaDriver.*;

/**
 * Brings an epoch's row order to the device a piece at a time, just ahead of the steps that read
 * it. A copy from pageable memory waits for the stream to drain first, so uploading the whole order
 * before the first step leaves the GPU idle for it (about 0.1 ms per 2¹⁸ rows). Here the host fills
 * a page-locked staging buffer while the GPU runs the steps before, the copies run on a stream of
 * their own beside those steps, and the compute stream waits only for the piece its next step
 * reads. Owns the staging buffer, the copy stream and its event; the device buffer is the model's.
 */
final class RowOrderUpload implements AutoCloseable {
    /** Rows per copy at least: 256 KiB, so that small batches do not pay a copy per step. */
    static final int MIN_ROWS_PER_COPY = 1 << 16;

    private final CudaContext ctx;
    private final DeviceBuffer order;
    private final Pointer staging = new Pointer();
    private final CUstream copies = new CUstream();
    private final CUevent copied = new CUevent();
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
        try {
            Cuda.check(cuStreamCreate(copies, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate(row order copies)");
            try {
                Cuda.check(cuEventCreate(copied, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate(row order copied)");
            } catch (RuntimeException e) {
                cuStreamDestroy(copies);
                throw e;
            }
        } catch (RuntimeException e) {
            cuMemFreeHost(staging);                                    // the first error is the one to report
            throw e;
        }
    }

    /**
     * Starts an epoch's order; nothing is copied yet. Waits for both streams first: the last epoch's
     * copies read the staging buffer, and its steps the device order, until they are done (an epoch
     * ends synchronised anyway).
     */
    void begin(int[] rowOrder) {
        if (rowOrder.length > order.elements) {
            throw new IllegalArgumentException(rowOrder.length + " row indexes for " + order.elements + " rows");
        }
        ctx.synchronize();
        Cuda.check(cuStreamSynchronize(copies), "cuStreamSynchronize(row order copies)");
        rows = rowOrder;
        uploaded = 0;
    }

    /** Queues the copy of the order up to row {@code end} (and a little beyond) if it is not on its way yet. */
    void through(int end) {
        if (end <= uploaded) return;
        int to = Math.min(rows.length, Math.max(end, uploaded + MIN_ROWS_PER_COPY));
        stagingInts.put(uploaded, rows, uploaded, to - uploaded);
        Cuda.check(cuMemcpyHtoDAsync(order.at(uploaded), staging.withByteOffset(4L * uploaded), 4L * (to - uploaded),
                copies), "cuMemcpyHtoDAsync(the row order)");
        Cuda.check(cuEventRecord(copied, copies), "cuEventRecord(row order copied)");
        Cuda.check(cuStreamWaitEvent(ctx.stream, copied, 0), "cuStreamWaitEvent(row order copied)");
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
        Cuda.check(cuStreamSynchronize(copies), "cuStreamSynchronize(row order copies)");
        Cuda.check(cuEventDestroy(copied), "cuEventDestroy(row order copied)");
        Cuda.check(cuStreamDestroy(copies), "cuStreamDestroy(row order copies)");
        Cuda.check(cuMemFreeHost(staging), "cuMemFreeHost(the row order)");
    }
}
