package dev.downhill.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A CUDA library bound through java.lang.foreign (cuBLAS, cuBLASLt): the first of its sonames
 * that loads, and downcalls to functions that return an int status.
 */
final class NativeLibrary {
    final String name;
    private final SymbolLookup lookup;
    private final Linker linker = Linker.nativeLinker();

    private NativeLibrary(String name, SymbolLookup lookup) {
        this.name = name;
        this.lookup = lookup;
    }

    /** The first of {@code sonames} that loads, kept loaded by {@code arena}; else an exception naming them all. */
    static NativeLibrary load(String what, String[] sonames, Arena arena) {
        for (String soname : sonames) {
            try {
                return new NativeLibrary(soname, SymbolLookup.libraryLookup(soname, arena));
            } catch (IllegalArgumentException notThere) {
                // try the next name
            }
        }
        throw new CudaException(what + " not found (tried " + String.join(", ", sonames) + ")");
    }

    /** A handle to {@code symbol}, a function of these arguments returning a status. */
    MethodHandle bind(String symbol, MemoryLayout... args) {
        MemorySegment address = lookup.find(symbol).orElseThrow(() -> new CudaException(name + " has no symbol " + symbol));
        return linker.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, args));
    }

    /** Calls a bound function and returns its status. */
    static int call(MethodHandle function, Object... args) {
        try {
            return (int) function.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new CudaException("native call failed to run: " + t);
        }
    }
}
