package dev.downhill.cli;

import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) as a request: the first one asks training to stop after its current step and
 * save a checkpoint; a second one, for someone who will not wait, ends the process at once.
 */
final class Interrupt {
    /** The exit status of a run stopped by Ctrl-C, as shells report a SIGINT death (128 + 2). */
    static final int EXIT_CODE = 130;

    private static volatile boolean requested;

    private Interrupt() {}

    static void install() {
        try {
            Signal.handle(new Signal("INT"), signal -> {
                if (requested) Runtime.getRuntime().halt(EXIT_CODE);
                requested = true;
                System.err.println("\ndownhill: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)");
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT on this platform: Ctrl-C keeps its default behaviour
        }
    }

    static boolean requested() {
        return requested;
    }
}
