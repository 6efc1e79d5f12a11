package dev.downhill.cli;

import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM as requests: the first one asks training to stop after its current
 * step and save a checkpoint; a second one, for someone who will not wait, ends the process at
 * once. SIGTERM is what schedulers, containers and Spark send before they kill: it must save too.
 */
final class Interrupt {
    /** Exit status of a run stopped by a signal, as shells report a death by it: 128 + its number. */
    private static final int SIGINT_EXIT = 130, SIGTERM_EXIT = 143;

    private static volatile int exitCode;
    /** Whether a training loop is running that will see the request; before it (reading a file, a FIFO) there is nothing to save. */
    private static volatile boolean training;

    private Interrupt() {}

    static void install() {
        handle("INT", SIGINT_EXIT, "Ctrl-C again to quit now");
        handle("TERM", SIGTERM_EXIT, "a second SIGTERM quits now");
    }

    private static void handle(String name, int code, String howToQuit) {
        try {
            Signal.handle(new Signal(name), signal -> {
                if (exitCode != 0) Runtime.getRuntime().halt(code);
                if (!training) {
                    System.err.println("\ndownhill: SIG" + name + " before training started: nothing to save, stopping");
                    System.exit(code);
                }
                exitCode = code;
                System.err.println("\ndownhill: SIG" + name + ": stopping after this step and saving a checkpoint ("
                        + howToQuit + ")");
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no such signal on this platform: it keeps its default behaviour
        }
    }

    /** Marks the span in which training checks for requests and saves a checkpoint when it sees one. */
    static void training(boolean running) {
        training = running;
    }

    /** A stop requested as Ctrl-C requests it, for the tests, which cannot signal their own JVM safely; {@link #clear} undoes it. */
    static void request() {
        exitCode = SIGINT_EXIT;
    }

    static void clear() {
        exitCode = 0;
    }

    static boolean requested() {
        return exitCode != 0;
    }

    /** The status to exit with after a requested stop. */
    static int exitCode() {
        return exitCode == 0 ? SIGINT_EXIT : exitCode;
    }
}
