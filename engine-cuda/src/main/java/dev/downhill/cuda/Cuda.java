package dev.downhill.cuda;

import jcuda.NativePointerObject;
import jcuda.driver.CUresult;

import java.lang.reflect.Method;

/** The one place where CUDA driver statuses are checked. */
final class Cuda {
    private Cuda() {}

    /** Throws unless {@code status} is CUDA_SUCCESS, naming the call and the status. */
    static void check(int status, String call) {
        if (status != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + CUresult.stringFor(status));
        }
    }

    private static final Method NATIVE_POINTER;

    static {
        try {
            NATIVE_POINTER = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            NATIVE_POINTER.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The native handle behind a JCuda object (a stream, say), for passing to cuBLAS through FFM. */
    static long handle(NativePointerObject object) {
        try {
            return (long) NATIVE_POINTER.invoke(object);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read JCuda's native handle", e);
        }
    }
}
