package dev.downhill.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

import static jcuda.driver.CUdevice_attribute.*;
import static jcuda.driver.JCudaDriver.*;

/** Device 0's primary context and the one stream all work of a backend runs on. */
final class CudaContext implements AutoCloseable {
    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final String deviceName;
    /** Streaming multiprocessors: how many persistent blocks fill the device. */
    final int multiprocessors;
    /** Compute capability as major·10 + minor: 90 for Hopper. */
    final int computeCapability;
    /** The most dynamic shared memory a block may ask for (227 KiB on Hopper, 163 KiB on A100). */
    final int maxSharedBytesPerBlock;

    /** A context on device {@code ordinal} (0 for the first GPU). */
    CudaContext(int ordinal) {
        Cuda.check(cuInit(0), "cuInit");
        Cuda.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        Cuda.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        Cuda.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        byte[] name = new byte[256];
        Cuda.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        deviceName = new String(name, 0, indexOfZero(name)).trim();
        multiprocessors = attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, "MULTIPROCESSOR_COUNT");
        computeCapability = 10 * attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "COMPUTE_CAPABILITY_MAJOR")
                + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "COMPUTE_CAPABILITY_MINOR");
        maxSharedBytesPerBlock = attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN");
    }

    private int attribute(int attribute, String name) {
        int[] value = new int[1];
        Cuda.check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + name + ")");
        return value[0];
    }

    /** JCuda calls act on the calling thread's current context: every entry point sets it. */
    void makeCurrent() {
        Cuda.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    void synchronize() {
        Cuda.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** Free and total device memory in bytes. */
    long[] memoryInfo() {
        long[] free = new long[1], total = new long[1];
        Cuda.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    @Override
    public void close() {
        makeCurrent();
        Cuda.check(cuStreamDestroy(stream), "cuStreamDestroy");
        Cuda.check(cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
    }

    private static int indexOfZero(byte[] b) {
        for (int i = 0; i < b.length; i++) if (b[i] == 0) return i;
        return b.length;
    }
}
