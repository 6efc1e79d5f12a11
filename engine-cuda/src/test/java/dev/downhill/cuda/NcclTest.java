package dev.downhill.cuda;

import dev.downhill.backend.BackendOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The NCCL binding. Without a GPU, where libnccl.so.2 can be found (DOWNHILL_NCCL, the copy
 * tools/fetch-nccl.sh makes, or the dynamic linker's): every symbol, the version, the statuses'
 * names. With a GPU: an all-reduce at world size 1 leaves a device buffer as it was.
 */
class NcclTest {
    @Test
    void theBindingFindsEverySymbolAndNamesEveryStatus() {
        String library = library();
        Nccl nccl = Nccl.load(library);                    // binds every symbol of Nccl.SYMBOLS, or throws naming the missing one
        SymbolLookup lib = library.contains("/") ? SymbolLookup.libraryLookup(Path.of(library), Arena.global())
                : SymbolLookup.libraryLookup(library, Arena.global());
        for (String symbol : Nccl.SYMBOLS) assertTrue(lib.find(symbol).isPresent(), symbol);
        String version = nccl.version();
        assertTrue(version.matches("2\\.\\d+\\.\\d+"), version);
        System.out.println("NCCL " + version + " from " + library);
        for (int status = 1; status < Nccl.RESULTS.size(); status++) {
            int s = status;
            CudaException e = assertThrows(CudaException.class, () -> nccl.check(s, "ncclAllReduce(8 floats)"));
            assertTrue(e.getMessage().startsWith("ncclAllReduce(8 floats) failed: " + Nccl.RESULTS.get(s) + " ("), e.getMessage());
            assertFalse(nccl.errorString(s).isBlank(), Nccl.RESULTS.get(s));
        }
        assertThrows(IllegalArgumentException.class, () -> nccl.join(new byte[12], 1, 0));
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(RequiresGpu.class)
    void anAllReduceOfOneRankLeavesTheBufferAsItWas() {
        Nccl nccl = Nccl.load(library());
        try (CudaBackend backend = (CudaBackend) Gpu.open(BackendOptions.MathMode.FP32);
             DeviceBuffer buffer = DeviceBuffer.allocate(backend.ctx, 1000, "an all-reduce's buffer");
             Nccl.Communicator comm = nccl.join(nccl.uniqueId(), 1, 0)) {
            float[] values = new float[1000];
            for (int i = 0; i < values.length; i++) values[i] = i * 0.5f - 7;
            buffer.upload(values, 0, values.length);
            comm.allReduceSum(buffer.address, buffer.address, values.length, 0);
            backend.ctx.synchronize();
            comm.checkAsyncError();
            assertArrayEquals(values, buffer.download(0, values.length));
        }
    }

    /** DOWNHILL_NCCL, else tools/fetch-nccl.sh's copy, else the dynamic linker's libnccl.so.2; none: the test cannot run here. */
    private static String library() {
        String env = System.getenv("DOWNHILL_NCCL");
        if (env != null) return env;
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "downhill", "nccl", Nccl.LIBRARY);
        if (Files.exists(cached)) return cached.toString();
        try {
            SymbolLookup.libraryLookup(Nccl.LIBRARY, Arena.global());
            return Nccl.LIBRARY;
        } catch (IllegalArgumentException notThere) {
            Assumptions.abort("libnccl.so.2 not found: set DOWNHILL_NCCL or run tools/fetch-nccl.sh");
            return null;
        }
    }
}
