package dev.downhill.parallel;

/** A collective failed on this rank: a peer failed, stopped answering, or the collective was aborted. */
public final class CollectiveException extends RuntimeException {
    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
