package dev.downhill.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLASLt's matrix products with fused epilogues, bound through java.lang.foreign: the bias and
 * ReLU of a layer computed in the product that makes its pre-activation (keeping a bit-mask of
 * where ReLU passed), and in the backward pass ReLU's derivative and the bias gradient computed in
 * the product that makes ∂L/∂a. Each saves a pass over the activations. A {@link Product} is
 * planned once for fixed shapes and addresses (descriptors, the heuristic's algorithm) and run
 * many times, also inside captured graphs. Statuses are checked and reported by name.
 */
final class CublasLt implements AutoCloseable {
    static final String[] LIBRARIES = {"libcublasLt.so.13", "libcublasLt.so.12"};

    /** The epilogues Downhill uses (cublasLtEpilogue_t). */
    enum Epilogue {
        /** D = relu(op(A)·op(B) + bias), and the bit-mask of D > 0 into the aux buffer */
        RELU_AUX_BIAS(2 | 128 | 4),
        /** D = (op(A)·op(B)) ⊙ [mask], and the bias gradient Σ over D's columns into the bias pointer */
        DRELU_BGRAD(8 | 128 | 16);

        final int code;

        Epilogue(int code) {
            this.code = code;
        }
    }

    private static final int CUDA_R_32F = 0, COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77;
    private static final int DESC_TRANSA = 3, DESC_TRANSB = 4, DESC_EPILOGUE = 7, DESC_BIAS_POINTER = 8,
            DESC_AUX_POINTER = 11, DESC_AUX_LD = 12;
    private static final int PREF_MAX_WORKSPACE_BYTES = 1, PREF_MIN_ALIGNMENT_A = 5;
    /** cublasLtMatmulHeuristicResult_t: the algorithm (64 bytes), workspace size, state, waves, 4 reserved ints. */
    private static final long HEURISTIC_RESULT_BYTES = 64 + 8 + 4 + 4 + 16;
    /** Candidates asked of the heuristic, for {@link Product#choose} to pick from by timing them. */
    private static final int CANDIDATES = 8;

    private final Arena arena = Arena.ofShared();
    private final MethodHandle destroy, descCreate, descSet, descDestroy, layoutCreate, layoutDestroy, prefCreate, prefSet,
            prefDestroy, heuristic, matmul;
    private final MemorySegment handle, one, zero, stream;
    private final DeviceBuffer workspace;
    private final int computeType;
    final String library;

    /** cuBLASLt on the context's stream, or an exception that says why it cannot load. */
    CublasLt(CudaContext ctx, DeviceBuffer workspace, boolean tf32) {
        NativeLibrary lib = NativeLibrary.load("cuBLASLt", LIBRARIES, arena);
        library = lib.name;
        MethodHandle create = lib.bind("cublasLtCreate", ADDRESS);
        destroy = lib.bind("cublasLtDestroy", ADDRESS);
        descCreate = lib.bind("cublasLtMatmulDescCreate", ADDRESS, JAVA_INT, JAVA_INT);
        descSet = lib.bind("cublasLtMatmulDescSetAttribute", ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG);
        descDestroy = lib.bind("cublasLtMatmulDescDestroy", ADDRESS);
        layoutCreate = lib.bind("cublasLtMatrixLayoutCreate", ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        layoutDestroy = lib.bind("cublasLtMatrixLayoutDestroy", ADDRESS);
        prefCreate = lib.bind("cublasLtMatmulPreferenceCreate", ADDRESS);
        prefSet = lib.bind("cublasLtMatmulPreferenceSetAttribute", ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG);
        prefDestroy = lib.bind("cublasLtMatmulPreferenceDestroy", ADDRESS);
        heuristic = lib.bind("cublasLtMatmulAlgoGetHeuristic", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        matmul = lib.bind("cublasLtMatmul", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
        MemorySegment out = arena.allocate(ADDRESS);
        Cublas.check(NativeLibrary.call(create, out), "cublasLtCreate");
        handle = out.get(ADDRESS, 0);
        stream = MemorySegment.ofAddress(Cuda.handle(ctx.stream));
        this.workspace = workspace;
        computeType = tf32 ? COMPUTE_32F_FAST_TF32 : COMPUTE_32F;
    }

    /**
     * Plans D = op(A)·op(B) with {@code epilogue}, column-major as in {@link Cublas#sgemm}: op(A) m×k,
     * op(B) k×n, D m×n; {@code bias} has m elements; {@code aux} is the ReLU bit-mask, {@code auxLd}
     * bits per column (a multiple of 128, at least m). Returns null when cuBLASLt has no algorithm
     * for it; the caller then takes the unfused path. The heuristic's first algorithm is chosen;
     * there may be more ({@link Product#candidates()}).
     */
    Product plan(int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb, long d, int ldd,
                 Epilogue epilogue, long bias, long aux, long auxLd) {
        Product p = new Product("cublasLtMatmul(m=" + m + ", n=" + n + ", k=" + k + ", " + epilogue + ")", a, b, d);
        try {
            MemorySegment slot = p.arena.allocate(ADDRESS);
            Cublas.check(NativeLibrary.call(descCreate, slot, computeType, CUDA_R_32F), "cublasLtMatmulDescCreate");
            p.desc = slot.get(ADDRESS, 0);
            setDesc(p, DESC_TRANSA, p.arena.allocateFrom(JAVA_INT, transA));
            setDesc(p, DESC_TRANSB, p.arena.allocateFrom(JAVA_INT, transB));
            setDesc(p, DESC_EPILOGUE, p.arena.allocateFrom(JAVA_INT, epilogue.code));
            setDesc(p, DESC_BIAS_POINTER, p.arena.allocateFrom(JAVA_LONG, bias));
            setDesc(p, DESC_AUX_POINTER, p.arena.allocateFrom(JAVA_LONG, aux));
            setDesc(p, DESC_AUX_LD, p.arena.allocateFrom(JAVA_LONG, auxLd));
            p.aLayout = layout(p, transA == Cublas.OP_N ? m : k, transA == Cublas.OP_N ? k : m, lda);
            p.bLayout = layout(p, transB == Cublas.OP_N ? k : n, transB == Cublas.OP_N ? n : k, ldb);
            p.dLayout = layout(p, m, n, ldd);

            Cublas.check(NativeLibrary.call(prefCreate, slot), "cublasLtMatmulPreferenceCreate");
            MemorySegment pref = slot.get(ADDRESS, 0);
            try {
                Cublas.check(NativeLibrary.call(prefSet, pref, PREF_MAX_WORKSPACE_BYTES, p.arena.allocateFrom(JAVA_LONG, 4 * workspace.elements),
                        8L), "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
                long[] addresses = {a, b, d, d};                       // A, B, C (= D, unused: β = 0), D
                for (int i = 0; i < addresses.length; i++) {
                    Cublas.check(NativeLibrary.call(prefSet, pref, PREF_MIN_ALIGNMENT_A + i,
                            p.arena.allocateFrom(JAVA_INT, alignment(addresses[i])), 4L),
                            "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)");
                }
                MemorySegment count = p.arena.allocate(JAVA_INT);
                int status = NativeLibrary.call(heuristic, handle, p.desc, p.aLayout, p.bLayout, p.dLayout, p.dLayout, pref,
                        CANDIDATES, p.results, count);
                if (status == Cublas.STATUS_NOT_SUPPORTED || status == 0 && count.get(JAVA_INT, 0) == 0) {
                    p.close();
                    return null;
                }
                Cublas.check(status, "cublasLtMatmulAlgoGetHeuristic for " + p.what);
                p.candidates = count.get(JAVA_INT, 0);
            } finally {
                Cublas.check(NativeLibrary.call(prefDestroy, pref), "cublasLtMatmulPreferenceDestroy");
            }
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The largest power of two, up to 256, that divides the address: what an algorithm may assume. */
    static int alignment(long address) {
        return (int) Math.min(256, Long.lowestOneBit(address == 0 ? 256 : address));
    }

    private void setDesc(Product p, int attribute, MemorySegment value) {
        Cublas.check(NativeLibrary.call(descSet, p.desc, attribute, value, value.byteSize()),
                "cublasLtMatmulDescSetAttribute(" + attribute + ") for " + p.what);
    }

    private MemorySegment layout(Product p, long rows, long cols, long ld) {
        MemorySegment slot = p.arena.allocate(ADDRESS);
        Cublas.check(NativeLibrary.call(layoutCreate, slot, CUDA_R_32F, rows, cols, ld), "cublasLtMatrixLayoutCreate for " + p.what);
        return slot.get(ADDRESS, 0);
    }

    /** One planned product: its descriptors and algorithm, freed by {@link #close()}. */
    final class Product implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final String what;
        private final MemorySegment a, b, d, results;
        private MemorySegment desc, aLayout, bLayout, dLayout, algorithm;
        private int candidates;

        private Product(String what, long a, long b, long d) {
            this.what = what;
            this.a = MemorySegment.ofAddress(a);
            this.b = MemorySegment.ofAddress(b);
            this.d = MemorySegment.ofAddress(d);
            results = arena.allocate(HEURISTIC_RESULT_BYTES * CANDIDATES, 8);
            algorithm = results;
        }

        /** How many algorithms the heuristic offered, best guess first. */
        int candidates() {
            return candidates;
        }

        /** Runs with the heuristic's {@code index}-th algorithm from now on. */
        void choose(int index) {
            algorithm = results.asSlice(HEURISTIC_RESULT_BYTES * Math.floorMod(index, Math.max(candidates, 1)),
                    HEURISTIC_RESULT_BYTES);
        }

        /** Enqueues the product on the stream. */
        void run() {
            Cublas.check(NativeLibrary.call(matmul, handle, desc, one, a, aLayout, b, bLayout, zero, d, dLayout, d, dLayout,
                    algorithm, MemorySegment.ofAddress(workspace.address), 4 * workspace.elements, stream), what);
        }

        @Override
        public void close() {
            try {
                for (MemorySegment layout : new MemorySegment[] {aLayout, bLayout, dLayout}) {
                    if (layout != null) Cublas.check(NativeLibrary.call(layoutDestroy, layout), "cublasLtMatrixLayoutDestroy");
                }
                if (desc != null) Cublas.check(NativeLibrary.call(descDestroy, desc), "cublasLtMatmulDescDestroy");
            } finally {
                arena.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            Cublas.check(NativeLibrary.call(destroy, handle), "cublasLtDestroy");
        } finally {
            arena.close();
        }
    }
}
