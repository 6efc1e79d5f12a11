package dev.downhill.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few cuBLAS functions Downhill needs, bound through java.lang.foreign (JCublas cannot load
 * CUDA 13's cuBLAS). Matrices are column-major as cuBLAS expects; {@link CudaModel} maps its
 * row-major tensors onto them. Every status is checked and reported by name.
 */
final class Cublas implements AutoCloseable {
    static final String[] LIBRARIES = {"libcublas.so.13", "libcublas.so.12"};
    static final int OP_N = 0, OP_T = 1;
    private static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;

    private final Arena arena = Arena.ofShared();
    private final MethodHandle destroy, sgemm, sgemv, sscal;
    private final MemorySegment handle;
    private final MemorySegment one, zero;

    /** The first cuBLAS library that loads, or an exception that says which were tried. */
    static String findLibrary(Arena arena) {
        for (String name : LIBRARIES) {
            try {
                SymbolLookup.libraryLookup(name, arena);
                return name;
            } catch (IllegalArgumentException notThere) {
                // try the next name
            }
        }
        throw new CudaException("cuBLAS not found (tried " + String.join(", ", LIBRARIES) + ")");
    }

    Cublas(CudaContext ctx, DeviceBuffer workspace, boolean tf32) {
        SymbolLookup lib = SymbolLookup.libraryLookup(findLibrary(arena), arena);
        Linker linker = Linker.nativeLinker();
        MethodHandle create = bind(linker, lib, "cublasCreate_v2", ADDRESS);
        destroy = bind(linker, lib, "cublasDestroy_v2", ADDRESS);
        MethodHandle setStream = bind(linker, lib, "cublasSetStream_v2", ADDRESS, ADDRESS);
        MethodHandle setMathMode = bind(linker, lib, "cublasSetMathMode", ADDRESS, JAVA_INT);
        MethodHandle setWorkspace = bind(linker, lib, "cublasSetWorkspace_v2", ADDRESS, ADDRESS, JAVA_LONG);
        sgemm = bind(linker, lib, "cublasSgemm_v2", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
        sgemv = bind(linker, lib, "cublasSgemv_v2", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
        sscal = bind(linker, lib, "cublasSscal_v2", ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
        one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);

        MemorySegment out = arena.allocate(ADDRESS);
        check(call(create, out), "cublasCreate_v2");
        handle = out.get(ADDRESS, 0);
        check(call(setStream, handle, MemorySegment.ofAddress(Cuda.handle(ctx.stream))), "cublasSetStream_v2");
        // a workspace of our own, so that stream capture never sees cuBLAS allocate
        check(call(setWorkspace, handle, MemorySegment.ofAddress(workspace.address), 4 * workspace.elements),
                "cublasSetWorkspace_v2");
        check(call(setMathMode, handle, tf32 ? TF32_TENSOR_OP_MATH : DEFAULT_MATH), "cublasSetMathMode");
    }

    /**
     * C = op(A)·op(B), column-major: op(A) is m×k, op(B) k×n, C m×n (C's old values are overwritten: β = 0).
     * Addresses are device addresses.
     */
    void sgemm(int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb, long c, int ldc) {
        check(call(sgemm, handle, transA, transB, m, n, k, one, MemorySegment.ofAddress(a), lda,
                MemorySegment.ofAddress(b), ldb, zero, MemorySegment.ofAddress(c), ldc),
                "cublasSgemm_v2(m=" + m + ", n=" + n + ", k=" + k + ")");
    }

    /** y = op(A)·x, column-major A m×n. */
    void sgemv(int trans, int m, int n, long a, int lda, long x, long y) {
        check(call(sgemv, handle, trans, m, n, one, MemorySegment.ofAddress(a), lda, MemorySegment.ofAddress(x), 1,
                zero, MemorySegment.ofAddress(y), 1), "cublasSgemv_v2(m=" + m + ", n=" + n + ")");
    }

    /** x = α·x over n floats at a device address. */
    void sscal(int n, float alpha, long x) {
        try (Arena local = Arena.ofConfined()) {
            check(call(sscal, handle, n, local.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), MemorySegment.ofAddress(x), 1),
                    "cublasSscal_v2(n=" + n + ")");
        }
    }

    @Override
    public void close() {
        try {
            check(call(destroy, handle), "cublasDestroy_v2");
        } finally {
            arena.close();
        }
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, java.lang.foreign.MemoryLayout... args) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new CudaException("cuBLAS has no symbol " + name));
        return linker.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new CudaException("cuBLAS call failed to run: " + t);
        }
    }

    static void check(int status, String call) {
        if (status != 0) throw new CudaException(call + " failed: " + statusName(status));
    }

    static String statusName(int status) {
        return switch (status) {
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cuBLAS status " + status;
        };
    }
}
