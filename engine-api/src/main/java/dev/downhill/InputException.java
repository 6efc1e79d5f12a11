package dev.downhill;

/**
 * A mistake in what the user gave Downhill: a network that cannot be built, a data file
 * that cannot be read, a checkpoint that does not fit. The message is one line that says
 * what is wrong and where (file, line, column, layer); callers print it without a stack
 * trace.
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
