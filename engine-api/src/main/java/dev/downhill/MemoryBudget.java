package dev.downhill;

/**
 * Checks a large allocation against what the JVM may still use, before making it: an
 * {@code OutOfMemoryError} minutes into a run is a stack trace, this is a sentence.
 */
public final class MemoryBudget {
    /** The most elements one Java array holds. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private MemoryBudget() {}

    /** {@code count} as an array length, once an array of that many floats fits; {@code what} names it in the error. */
    public static int floats(long count, String what) {
        require(4 * count, count, what);
        return (int) count;
    }

    /** Fails unless {@code bytes} more (in arrays of at most {@code largestArray} elements) fit in the heap now. */
    public static void require(long bytes, long largestArray, String what) {
        if (largestArray > MAX_ARRAY || bytes < 0) {
            throw new InputException(what + ": " + largestArray + " values, more than one Java array holds ("
                    + MAX_ARRAY + ")");
        }
        Runtime runtime = Runtime.getRuntime();
        long free = free(runtime);
        if (bytes > free) {
            System.gc();   // what looked used may be garbage; ask once before refusing
            free = free(runtime);
        }
        if (bytes > free) {
            throw new InputException(what + ": needs " + mib(bytes) + " MiB, and this JVM has " + mib(free) + " of "
                    + mib(runtime.maxMemory()) + " MiB left (give it more with JAVA_OPTS=-Xmx…)");
        }
    }

    private static long free(Runtime runtime) {
        return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
