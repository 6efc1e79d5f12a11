package dev.downhill.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * NCCL ({@code libnccl.so.2}) through java.lang.foreign: the collective for device buffers, one
 * rank per GPU. Rank 0 makes the {@link #uniqueId()}, the ranks share it (Spark's allGather), each
 * {@link #join joins}, and a {@link Communicator} sums device buffers on a stream. Every status is
 * checked and reported by name and NCCL's own words. The library is found by the dynamic linker
 * or at a path (PyTorch's wheels and {@code nvidia-nccl-cu13} carry it).
 */
public final class Nccl {
    public static final String LIBRARY = "libnccl.so.2";
    /** Every function bound here: a library that lacks one is refused when it loads. */
    static final List<String> SYMBOLS = List.of("ncclGetVersion", "ncclGetErrorString", "ncclGetUniqueId", "ncclCommInitRank",
            "ncclAllReduce", "ncclCommDestroy", "ncclCommAbort", "ncclCommGetAsyncError");
    /** ncclResult_t's names, by value (nccl.h). */
    static final List<String> RESULTS = List.of("ncclSuccess", "ncclUnhandledCudaError", "ncclSystemError", "ncclInternalError",
            "ncclInvalidArgument", "ncclInvalidUsage", "ncclRemoteError", "ncclInProgress");
    static final int UNIQUE_ID_BYTES = 128;
    private static final int FLOAT32 = 7, SUM = 0;
    /** ncclUniqueId, passed by value to ncclCommInitRank. */
    private static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(UNIQUE_ID_BYTES, JAVA_BYTE));

    private final MethodHandle getVersion, getErrorString, getUniqueId, commInitRank, allReduce, commDestroy, commAbort,
            commGetAsyncError;

    private Nccl(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        getVersion = bind(linker, lib, "ncclGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getErrorString = bind(linker, lib, "ncclGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        getUniqueId = bind(linker, lib, "ncclGetUniqueId", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        commInitRank = bind(linker, lib, "ncclCommInitRank", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT));
        allReduce = bind(linker, lib, "ncclAllReduce",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        commDestroy = bind(linker, lib, "ncclCommDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        commAbort = bind(linker, lib, "ncclCommAbort", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        commGetAsyncError = bind(linker, lib, "ncclCommGetAsyncError", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * NCCL from {@code library}: a path, or a name the dynamic linker finds ({@link #LIBRARY}). The
     * library stays loaded for the process, as the CUDA driver does.
     */
    public static Nccl load(String library) {
        SymbolLookup lib;
        try {
            lib = library.contains("/") ? SymbolLookup.libraryLookup(java.nio.file.Path.of(library), Arena.global())
                    : SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaException("NCCL not found: " + library + " (" + e.getMessage() + ")");
        }
        return new Nccl(lib);
    }

    /** NCCL's version as a.b.c. */
    public String version() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment v = local.allocate(JAVA_INT);
            check(call(getVersion, v), "ncclGetVersion");
            int code = v.get(JAVA_INT, 0);
            return code / 10000 + "." + code / 100 % 100 + "." + code % 100;
        }
    }

    /** A new communicator's identity, made by one rank and given to every other. */
    public byte[] uniqueId() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment id = local.allocate(UNIQUE_ID);
            check(call(getUniqueId, id), "ncclGetUniqueId");
            return id.toArray(JAVA_BYTE);
        }
    }

    /** Joins communicator {@code id} as {@code rank} of {@code ranks}, on the current CUDA context's device. */
    public Communicator join(byte[] id, int ranks, int rank) {
        if (id.length != UNIQUE_ID_BYTES) throw new IllegalArgumentException("an NCCL unique id has 128 bytes, got " + id.length);
        try (Arena local = Arena.ofConfined()) {
            MemorySegment out = local.allocate(ADDRESS), idValue = local.allocate(UNIQUE_ID);
            MemorySegment.copy(MemorySegment.ofArray(id), 0, idValue, 0, UNIQUE_ID_BYTES);
            check(call(commInitRank, out, ranks, idValue, rank), "ncclCommInitRank(rank " + rank + " of " + ranks + ")");
            return new Communicator(out.get(ADDRESS, 0), rank, ranks);
        }
    }

    /** A rank's membership of one communicator. */
    public final class Communicator implements AutoCloseable {
        private final MemorySegment comm;
        private final int rank, ranks;
        private boolean closed;

        private Communicator(MemorySegment comm, int rank, int ranks) {
            this.comm = comm;
            this.rank = rank;
            this.ranks = ranks;
        }

        /** recv[i] = Σ over ranks of send[i], for {@code count} floats at device addresses, enqueued on {@code stream} (0: the default). */
        public void allReduceSum(long send, long recv, long count, long stream) {
            check(call(allReduce, MemorySegment.ofAddress(send), MemorySegment.ofAddress(recv), count, FLOAT32, SUM, comm,
                    MemorySegment.ofAddress(stream)), "ncclAllReduce(" + count + " floats, rank " + rank + " of " + ranks + ")");
        }

        /** An error a collective of this communicator met after it was enqueued (a peer lost), or nothing. */
        public void checkAsyncError() {
            try (Arena local = Arena.ofConfined()) {
                MemorySegment error = local.allocate(JAVA_INT);
                check(call(commGetAsyncError, comm, error), "ncclCommGetAsyncError");
                check(error.get(JAVA_INT, 0), "a collective of rank " + rank + " of " + ranks);
            }
        }

        /** Ends every collective of this communicator now, on every rank: a watchdog's way out of a hung peer. */
        public void abort() {
            if (closed) return;
            closed = true;
            check(call(commAbort, comm), "ncclCommAbort");
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            check(call(commDestroy, comm), "ncclCommDestroy");
        }
    }

    /** A status other than ncclSuccess as an exception naming it, the call, and NCCL's words for it. */
    void check(int status, String what) {
        if (status == 0) return;
        String name = status >= 0 && status < RESULTS.size() ? RESULTS.get(status) : "ncclResult " + status;
        throw new CudaException(what + " failed: " + name + " (" + errorString(status) + ")");
    }

    /** NCCL's own words for a status. */
    String errorString(int status) {
        try {
            MemorySegment text = (MemorySegment) getErrorString.invoke(status);
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new CudaException("ncclGetErrorString failed: " + t);
        }
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new CudaException("NCCL lacks " + name));
        return linker.downcallHandle(symbol, descriptor);
    }

    private static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new CudaException("NCCL call failed: " + t);
        }
    }
}
