package dev.downhill.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUpointer_attribute;
import jcuda.driver.CUresult;

import static jcuda.driver.JCudaDriver.*;

/**
 * Device memory of 4-byte elements (float or int), freed by {@link #close()}. Knows its
 * address for cuBLAS calls made through FFM.
 */
final class DeviceBuffer implements AutoCloseable {
    final CUdeviceptr pointer = new CUdeviceptr();
    final long elements;
    final long address;
    private final CudaContext ctx;
    private boolean closed;

    private DeviceBuffer(CudaContext ctx, long elements, String what) {
        this.ctx = ctx;
        this.elements = Math.max(elements, 1);
        long bytes = 4 * this.elements;
        int status = cuMemAlloc(pointer, bytes);
        if (status == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            long[] info = ctx.memoryInfo();
            throw new DeviceMemoryException("out of device memory: " + what + " needs " + mib(bytes) + " MiB, "
                    + mib(info[0]) + " MiB of " + mib(info[1]) + " MiB are free");
        }
        Cuda.check(status, "cuMemAlloc(" + bytes + " bytes for " + what + ")");
        long[] raw = new long[1];
        Cuda.check(cuPointerGetAttribute(Pointer.to(raw), CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, pointer),
                "cuPointerGetAttribute(DEVICE_POINTER)");
        address = raw[0];
    }

    static DeviceBuffer allocate(CudaContext ctx, long elements, String what) {
        return new DeviceBuffer(ctx, elements, what);
    }

    static String mib(long bytes) {
        return Long.toString(bytes >> 20);
    }

    /** The device address of element {@code index}, for cuBLAS. */
    long address(long index) {
        return address + 4 * index;
    }

    /** A JCuda pointer to element {@code index}, for kernel arguments. */
    CUdeviceptr at(long index) {
        return index == 0 ? pointer : (CUdeviceptr) pointer.withByteOffset(4 * index);
    }

    void upload(float[] values, long offset, int length) {
        Cuda.check(cuMemcpyHtoDAsync(at(offset), Pointer.to(values), 4L * length, ctx.stream), "cuMemcpyHtoDAsync");
    }

    void upload(int[] values) {
        Cuda.check(cuMemcpyHtoDAsync(pointer, Pointer.to(values), 4L * values.length, ctx.stream), "cuMemcpyHtoDAsync");
    }

    /** Copies {@code length} elements from {@code offset} to the host; waits for the stream. */
    float[] download(long offset, int length) {
        float[] out = new float[length];
        Cuda.check(cuMemcpyDtoHAsync(Pointer.to(out), at(offset), 4L * length, ctx.stream), "cuMemcpyDtoHAsync");
        ctx.synchronize();
        return out;
    }

    /** Elements [from, from + length) of {@code source} to [to, …) of this buffer, on the stream. */
    void copyFrom(DeviceBuffer source, long from, long to, long length) {
        Cuda.check(cuMemcpyDtoDAsync(at(to), source.at(from), 4 * length, ctx.stream), "cuMemcpyDtoDAsync");
    }

    void fill(int bits) {
        Cuda.check(cuMemsetD32Async(pointer, bits, elements, ctx.stream), "cuMemsetD32Async");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Cuda.check(cuMemFree(pointer), "cuMemFree");
    }
}
