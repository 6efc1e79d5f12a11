package dev.downhill;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A mistake in what the user gave Downhill: a network that cannot be built, a data file
 * that cannot be read, a checkpoint that does not fit. The message is one line that says
 * what is wrong and where (file, line, column, layer); callers print it without a stack
 * trace.
 *
 * <p>The message names the problem, not a way past it in any caller's terms: where the library
 * knows one, it is a {@link Remedy}, which the command line offers as its flag and a program as
 * its own setting.
 */
public class InputException extends RuntimeException {
    /** A way past the problem that the caller may offer in its own terms. */
    public enum Remedy {
        /** Leave out the data rows that have problems, instead of failing. */
        DROP_BAD_ROWS,
        /** Say how many classes the labels have, where more are found than would be assumed. */
        DECLARE_CLASSES,
        /** Start training from the file's parameters with a network described separately. */
        INIT_WITH_NETWORK_GIVEN,
        /** Hold out some of the rows to measure the validation loss on. */
        HOLD_OUT_VALIDATION_ROWS
    }

    private final Set<Remedy> remedies;

    public InputException(String message) {
        this(message, Set.of());
    }

    public InputException(String message, Set<Remedy> remedies) {
        super(message);
        this.remedies = remedies.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(remedies));   // in the enum's order
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
        this.remedies = Set.of();
    }

    /** The ways past the problem, none where the only way is to fix the input. */
    public Set<Remedy> remedies() {
        return remedies;
    }
}
